"""docs/guardrails.md, "Across a switch": "A stream begun under guardrails with no checks of
its kind (an agent without output guardrails, say) is read by those of the agent that takes
over." When the switch comes after the answer's last transcript delta (its audio still
streaming, the item not done yet), the item's last check runs with the leaving agent's
guardrails (none of the output kind): the new agent's output guardrail never reads it."""

from __future__ import annotations

from typing import Any

import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from rtagents.emulator import Emulator, ScriptedModel

from .reading import read_to_the_last_check

pytestmark = pytest.mark.anyio

ANSWER = "Sure, I promise you a full refund."


async def test_switch_after_the_last_delta_is_read_by_the_new_output_guardrails() -> None:
    read: list[str] = []

    async def no_refunds(text: str) -> GuardrailResult:
        read.append(text)
        return Trip("it promised a refund") if "refund" in text else PASS

    async def anything(text: str) -> GuardrailResult:
        return PASS

    plain = rtagents.Agent(name="plain", guardrails=Guardrails(input=[anything]))
    guarded = rtagents.Agent(name="guarded", guardrails=Guardrails(output=[no_refunds]))
    events: list[Any] = []
    async with Emulator(model=ScriptedModel([ANSWER]), realtime=True, audio_chunk_ms=50) as emu:
        async with rtagents.connect(plain, url=emu.url) as session:
            await session.send_text("Can I get my money back?")
            said = ""

            async def switch_at_the_last_delta(event: Any) -> None:
                nonlocal said
                if event.type == "transcript.delta" and event.role == "assistant":
                    said += event.delta
                    if said == ANSWER:  # the last delta: its word's audio still to come
                        await session.update_agent(guarded)

            await read_to_the_last_check(session, events, switch_at_the_last_delta)
    trips = [e for e in events if e.type == "guardrail.tripped"]
    assert read, "the new agent's output guardrail never read the answer"
    assert [t.guardrail for t in trips] == ["no_refunds"]
