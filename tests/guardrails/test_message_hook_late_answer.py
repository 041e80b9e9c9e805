"""The guardrails' async message hook answers within the guardrails' timeout (docs: "an async
one within the guardrails' timeout"): one that shields its lookup and answers past it counts
for nothing; the default line is told at the timeout, not after the hook's wording."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents import Guardrails
from rtagents.approvals import GuardrailTrip
from rtagents.emulator import ScriptedModel
from tests.guardrails.test_output import LONG, FakePlayer, no_refunds, run_until_trip

pytestmark = pytest.mark.anyio


async def test_a_shielded_message_hook_past_the_timeout_is_not_taken() -> None:
    async def shielded(trip: GuardrailTrip) -> str:
        with anyio.CancelScope(shield=True):  # a lookup a client library shields
            await anyio.sleep(1.5)
        return "LATE WORDING"

    guardrails = Guardrails(output=[no_refunds], message=shielded, timeout=0.5)
    agent = rtagents.Agent(name="shop", guardrails=guardrails)
    events, connection = await run_until_trip(agent, ScriptedModel([LONG]), FakePlayer(300))
    notes = [i for i in connection.conversation.items if i.get("role") == "system"]
    said = [n["content"][0]["text"] for n in notes]
    assert "LATE WORDING" not in said, f"the hook's answer after the timeout was told: {said}"
