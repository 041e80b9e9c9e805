"""docs/guardrails.md, "Across a switch": "A stream begun under guardrails with no checks of
its kind (an agent without output guardrails, say) is read by those of the agent that takes
over." On the Realtime API, when the app switches mid-answer from an agent without
guardrails to one with output guardrails, the rest of the answer is read and trips, but the
response it belongs to is never cancelled: the guardrails never saw it begin, so the trip
finds no owner. The answer streams on to its end, its audio after the cut included."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio

LONG = (
    "Sure, and whatever happened to your order last month, I can promise you a full "
    "refund today, no questions asked, and the month before that one too."
)


async def no_refunds(text: str) -> GuardrailResult:
    return Trip("it promised a refund") if "refund" in text else PASS


async def test_a_trip_after_a_switch_mid_answer_cancels_the_answer() -> None:
    plain = rtagents.Agent(name="plain")
    guarded = rtagents.Agent(name="guarded", guardrails=Guardrails(output=[no_refunds]))
    events: list[Any] = []
    async with Emulator(model=ScriptedModel([LONG]), realtime=True, audio_chunk_ms=100) as emu:
        async with rtagents.connect(plain, url=emu.url) as session:
            await session.send_text("Can I get my money back?")
            switched = False
            with anyio.fail_after(20):
                async for event in session:
                    events.append(event)
                    if event.type == "transcript.delta" and not switched:
                        switched = True
                        await session.update_agent(guarded)
                    if event.type == "response.done":
                        break
                else:
                    pytest.fail("the session ended first")
            cancels = [e for e in emu.last.received if e["type"] == "response.cancel"]
    trips = [e for e in events if e.type == "guardrail.tripped"]
    [created] = [e for e in events if e.type == "response.created"]
    assert [t.guardrail for t in trips] == ["no_refunds"]  # it was read, and tripped...
    assert trips[0].cancelled == created.response.id  # ...but nothing was cancelled
    assert len(cancels) == 1
    assert events[-1].response.status == "cancelled"
