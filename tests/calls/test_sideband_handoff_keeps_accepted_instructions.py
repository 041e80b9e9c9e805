"""On a call's sideband, a transfer to an agent that sets no ``instructions`` (or no
``tool_choice``) does not run on the leaving agent's: the target's turn runs on the server's
default, as on a session of its own (docs/handoffs.md; session/restate.py). A call's session
was created by its accept with the leaving agent's configuration, so the sideband's
``session.created`` reports that agent's settings: they are not the server's defaults."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents.calls import CallsAPI
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel
from rtagents.tracing.calls import created_session
from tests.calls.harness import SECRET

pytestmark = pytest.mark.anyio

TRIAGE = "You triage. Never answer billing questions: hand them to billing."


async def test_a_sideband_handoff_does_not_keep_the_accepted_agents_settings() -> None:
    seen: list[str] = []

    def answer(ctx: ModelContext) -> str:
        seen.append(ctx.instructions)
        return "Billing here."

    billing = rtagents.Agent(name="billing", output_modalities=["text"])  # no instructions
    triage = rtagents.Agent(
        name="triage",
        instructions=TRIAGE,
        tool_choice="required",
        handoffs=[billing],
        output_modalities=["text"],
    )
    model = ScriptedModel([CallFunction("transfer_to_billing", call_id="h1"), answer])
    async with Emulator(model=model) as emu:
        call_id = emu.place_call("http://127.0.0.1:9/unreachable", SECRET)
        api = CallsAPI("-", emu.http_url)
        await api.accept(call_id, created_session(triage))  # as CallServer accepts a call
        await api.aclose()
        async with rtagents.connect(triage, url=emu.url, call_id=call_id) as session:
            with anyio.fail_after(10):
                await session.ask("I want a refund")
            assert session.agent is billing
            config: dict[str, Any] = dict(session.config)
    assert seen, "billing never answered"
    assert seen[-1] != TRIAGE, "billing's turn on the call ran on triage's instructions"
    assert config.get("tool_choice") in (None, "auto"), config.get("tool_choice")
