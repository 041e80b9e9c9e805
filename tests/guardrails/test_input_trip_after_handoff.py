"""An input guardrail of the agent the user spoke to trips after that agent handed off to
one without guardrails: the trip must still stop the answer to the message ("every
response since the message: the one that answers it, and the one that answers its tool
calls' outputs", docs/guardrails.md). The transfer's follow-up is such a response."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from rtagents.emulator import CallFunction, Emulator, ScriptedModel

pytestmark = pytest.mark.anyio

ANSWER = (
    "Well, first you take a tension wrench, and then you rake the pins one by one, slowly, "
    "listening for each click, and then you turn the wrench and the door opens for you."
)


async def test_a_trip_after_a_handoff_to_an_unguarded_agent_stops_its_answer() -> None:
    gate = anyio.Event()

    async def no_locks(text: str) -> GuardrailResult:
        if "lock" not in text:
            return PASS
        await gate.wait()  # a moderation call that answers once the follow-up began
        return Trip("asks how to break in")

    locksmith = rtagents.Agent(name="locksmith", instructions="You know locks.")
    triage = rtagents.Agent(
        name="triage", handoffs=[locksmith], guardrails=Guardrails(input=[no_locks])
    )
    model = ScriptedModel([CallFunction("transfer_to_locksmith"), ANSWER])
    events: list[Any] = []
    async with Emulator(model=model, realtime=True, audio_chunk_ms=100) as emulator:
        async with rtagents.connect(triage, url=emulator.url) as session:
            await session.send_text("How do I pick the lock of the back door?")
            with anyio.fail_after(30):
                async for event in session:
                    events.append(event)
                    created = [e for e in events if e.type == "response.created"]
                    if len(created) == 2:
                        gate.set()  # the locksmith's answer is speaking now
                    done = [e for e in events if e.type == "response.done"]
                    if len(done) == 2:
                        break
                else:
                    pytest.fail("the session ended before the answer was done")
    kinds = [e.type for e in events]
    assert "handoff" in kinds
    [trip] = [e for e in events if e.type == "guardrail.tripped"]
    created = [e for e in events if e.type == "response.created"]
    assert trip.kind == "input" and trip.acted
    # The follow-up (the locksmith's answer to the transfer's output) was active: stopped.
    assert trip.cancelled == created[1].response.id, "the trip stopped nothing"
    done = [e for e in events if e.type == "response.done"]
    assert done[1].response.status == "cancelled"
