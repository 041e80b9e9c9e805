"""Input guardrails fail closed ("only an explicit, well-typed pass passes", guardrails.md).
When the server cannot transcribe what the user said
(``conversation.item.input_audio_transcription.failed``), no guardrail ever reads the
message, and the answer server VAD started for it goes on as if it had passed: the one
user message no guardrail could read is the one let through."""

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


class TranscriptionFails:
    """A real websocket to the emulator, on which the server's transcription of the user's
    turn fails: its ``...completed`` comes as the API's ``...failed`` (its deltas, none)."""

    def __init__(self, inner: WebsocketTransport) -> None:
        self.inner = inner

    def send_wont_block(self, frame: str) -> bool:
        return self.inner.send_wont_block(frame)

    async def send(self, frame: str) -> None:
        await self.inner.send(frame)

    async def recv(self) -> str | bytes:
        while True:
            frame = await self.inner.recv()
            event = json.loads(frame)
            kind = event.get("type")
            if kind == "conversation.item.input_audio_transcription.delta":
                continue
            if kind == "conversation.item.input_audio_transcription.completed":
                failed = {
                    "type": "conversation.item.input_audio_transcription.failed",
                    "event_id": event["event_id"],
                    "item_id": event["item_id"],
                    "content_index": 0,
                    "error": {
                        "type": "transcription_error",
                        "code": "audio_unintelligible",
                        "message": "Audio could not be transcribed.",
                    },
                }
                return json.dumps(failed)
            return frame

    async def close(self) -> None:
        await self.inner.close()


def everything_trips(text: str) -> GuardrailResult:
    return Trip("nothing may be answered")


async def test_a_message_no_guardrail_could_read_is_not_answered() -> None:
    agent = rtagents.Agent(
        name="desk",
        transcription=p.AudioTranscription(model="whisper-1"),
        turn_detection=p.ServerVad(silence_duration_ms=300),
        guardrails=Guardrails(input=[everything_trips]),
    )
    events: list[Any] = []
    async with Emulator(model=ScriptedModel([ANSWER]), realtime=True, audio_chunk_ms=100) as emu:

        async def opened() -> TranscriptionFails:
            return TranscriptionFails(await WebsocketTransport.open(emu.url, {}))

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
    assert "conversation.item.input_audio_transcription.failed" in kinds
    done = events[-1]
    trips = [e for e in events if e.type == "guardrail.tripped"]
    # Fail closed: the turn no guardrail could read is stopped (or at least reported).
    assert trips or done.response.status == "cancelled", (
        f"the answer to an unreadable user turn went out unchecked: status "
        f"{done.response.status!r}, no guardrail.tripped"
    )
