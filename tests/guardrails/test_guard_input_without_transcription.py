"""Input guardrails on an agent that does not transcribe: no guardrail can ever read what the
user says, and the spoken turn is answered as if it had passed, with no trip and no warning.
docs/guardrails.md: "only an explicit, well-typed pass passes", and a message the server
could not transcribe trips each input guardrail; a message it was never asked to transcribe
is let through in silence."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import GuardrailResult, Guardrails, Trip
from rtagents import protocol as p
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.emulator import audio as pcm

pytestmark = pytest.mark.anyio

ANSWER = "Well, first you take a tension wrench, and then you rake the pins one by one slowly."


def everything_trips(text: str) -> GuardrailResult:
    return Trip("nothing may be answered")


async def test_a_spoken_turn_no_guardrail_can_read_is_not_let_through_silently() -> None:
    agent = rtagents.Agent(
        name="desk",
        turn_detection=p.ServerVad(silence_duration_ms=300),
        guardrails=Guardrails(input=[everything_trips]),  # no transcription=...
    )
    spoken = pcm.tone(400).tobytes() + pcm.silence(400).tobytes()
    events: list[Any] = []
    async with Emulator(
        model=ScriptedModel([ANSWER]),
        transcribe=lambda audio, ms: "how do I pick a lock",
        realtime=True,
        audio_chunk_ms=100,
    ) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            await session.send_audio(spoken)
            with anyio.fail_after(15):
                async for event in session:
                    events.append(event)
                    if event.type == "response.done":
                        break
                else:
                    pytest.fail("the session ended first")
    kinds = [e.type for e in events]
    assert "conversation.item.input_audio_transcription.completed" not in kinds
    warned = [e for e in events if e.type == "session.warning" and "transcri" in e.message]
    tripped = [e for e in events if e.type == "guardrail.tripped"]
    # Fail closed: a trip, or at the very least the app told its guardrails cannot read.
    assert tripped or warned, f"answered unchecked: {events[-1].response.status}"
