"""A ``conversation.item.input_audio_transcription.completed`` whose ``usage`` has a shape
this version does not know (a newer variant, or a field missing) is the event without its
``usage`` (failures.md: "the event, without the values that could not be read"): the user's
transcript, which only carries the usage, reaches the app, the journal and the input
guardrails, which check the turn. Before, ``usage`` was required: left out, the frame was
dropped whole, and the turn was answered unchecked (where a turn that could not be
transcribed at all trips the guardrails)."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import GuardrailResult, Guardrails, Trip
from rtagents import protocol as p
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.emulator import audio as pcm
from rtagents.session import WebsocketTransport

pytestmark = pytest.mark.anyio

ANSWER = "Well, first you take a tension wrench, and then you rake the pins one by one slowly."
NEW_USAGE = {"type": "audio_duration", "milliseconds": 1200}  # a variant added later


def test_decoder_keeps_the_transcript() -> None:
    frame = {
        "type": "conversation.item.input_audio_transcription.completed",
        "event_id": "e1",
        "item_id": "item_1",
        "content_index": 0,
        "transcript": "how do I pick a lock",
        "usage": NEW_USAGE,
    }
    decoded = p.decode_server_frame(json.dumps(frame))  # ProtocolError today
    assert decoded.event.transcript == "how do I pick a lock"


class NewUsage:
    """A real websocket to the emulator whose transcription usage comes in a newer shape."""

    def __init__(self, inner: WebsocketTransport) -> None:
        self.inner = inner

    def send_wont_block(self, frame: str) -> bool:
        return self.inner.send_wont_block(frame)

    async def send(self, frame: str) -> None:
        await self.inner.send(frame)

    async def recv(self) -> str | bytes:
        frame = await self.inner.recv()
        event = json.loads(frame)
        if event.get("type") == "conversation.item.input_audio_transcription.completed":
            event["usage"] = NEW_USAGE
            return json.dumps(event)
        return frame

    async def close(self) -> None:
        await self.inner.close()


def everything_trips(text: str) -> GuardrailResult:
    return Trip("nothing may be answered")


async def test_the_spoken_turn_is_still_checked() -> None:
    agent = rtagents.Agent(
        name="desk",
        transcription=p.AudioTranscription(model="whisper-1"),
        turn_detection=p.ServerVad(silence_duration_ms=300),
        guardrails=Guardrails(input=[everything_trips]),
    )
    events: list[Any] = []
    async with Emulator(model=ScriptedModel([ANSWER]), realtime=True, audio_chunk_ms=100) as emu:

        async def opened() -> NewUsage:
            return NewUsage(await WebsocketTransport.open(emu.url, {}))

        async with rtagents.connect(agent, transport=opened) as session:
            await session.send_audio(pcm.tone(400).tobytes() + pcm.silence(400).tobytes())
            with anyio.fail_after(15):
                async for event in session:
                    events.append(event)
                    if event.type == "response.done":
                        break
                else:
                    pytest.fail("the session ended before the answer")
    kinds = [e.type for e in events]
    trips = [e for e in events if e.type == "guardrail.tripped"]
    assert trips or events[-1].response.status == "cancelled", (
        f"the turn went out unchecked: {events[-1].response.status!r}"
    )
    assert "conversation.item.input_audio_transcription.completed" in kinds, kinds
