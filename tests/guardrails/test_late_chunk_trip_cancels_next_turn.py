"""docs/guardrails.md: when an output guardrail trips, "the response is cancelled
(`response.cancel`), if it is still active". A slow check of an answer's first words (a
check mid-stream, not its last) that trips once that answer is over and the user's next
question is being answered cancels that next answer: the trip, finding its own response
ended, falls back to whatever response is active now (``orchestrator.active``)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio

FIRST = (
    "Sure, I can promise you a full refund today, and for the month before that one too, "
    "no questions asked at all."
)
SECOND = "It is sunny in Paris today, with a light breeze from the west all afternoon."


async def test_a_late_trip_of_an_ended_answer_leaves_the_next_answer_alone() -> None:
    gate = anyio.Event()

    async def no_refunds(text: str) -> GuardrailResult:
        if "refund" in text:
            await gate.wait()  # slow: decided once the next question is being answered
            return Trip("it promised a refund")
        return PASS

    agent = rtagents.Agent(
        name="shop", guardrails=Guardrails(output=[no_refunds], timeout=10, every_chars=40)
    )
    events: list[Any] = []
    async with Emulator(
        model=ScriptedModel([FIRST, SECOND]), realtime=True, audio_chunk_ms=100
    ) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            await session.send_text("Can I get my money back?")
            first: str | None = None
            second: str | None = None
            with anyio.fail_after(15):
                async for event in session:
                    events.append(event)
                    if event.type == "response.created" and first is None:
                        first = event.response.id
                    elif event.type == "response.done" and event.response.id == first:
                        await session.send_text("And what is the weather in Paris?")
                    elif event.type == "response.created" and first is not None:
                        second = event.response.id
                    elif (
                        event.type == "response.output_audio.delta" and event.response_id == second
                    ):
                        gate.set()  # the first answer is over: its check decides now
                    elif event.type == "response.done" and event.response.id == second:
                        break
                else:
                    pytest.fail("the session ended first")
            cancels = [e for e in emu.last.received if e["type"] == "response.cancel"]
    [trip] = [e for e in events if e.type == "guardrail.tripped"]
    [done] = [e for e in events if e.type == "response.done" and e.response.id == second]
    assert trip.cancelled is None  # its response was over: nothing of it to cancel
    assert cancels == []
    assert done.response.status == "completed"  # the answer to the next question
