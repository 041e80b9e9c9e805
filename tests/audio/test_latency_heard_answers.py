"""PlaybackBuffer.played_ms always subtracts the device latency, even for audio the
device finished sounding long ago. Every speech_started asks the player about the latest
assistant item (Playback.item_id is never reset after a response), so with a real device
(LocalVoice sets latency_ms from PortAudio) the user's *next normal turn* truncates the
previous, fully heard answer by latency_ms: its last words vanish from the transcript the
model remembers. Right behaviour: latency only discounts audio read less than latency_ms
ago; an item read out earlier than that was played in full."""

from __future__ import annotations

import base64
import time

import anyio
import pytest

import rtagents
from rtagents.audio import PlaybackBuffer
from rtagents.emulator import Emulator, ScriptedModel, audio


def test_played_ms_counts_everything_once_the_latency_has_passed() -> None:
    buffer = PlaybackBuffer(latency_ms=100)
    buffer.feed("item_1", bytes(48_000))  # 1 s at 24 kHz
    assert buffer.read(48_000) == bytes(48_000)
    time.sleep(0.3)  # well past the device's 100 ms latency: it was all heard
    assert buffer.played_ms("item_1") == 1000


def test_a_next_turn_after_a_fully_heard_answer_does_not_truncate_it() -> None:
    player = PlaybackBuffer(latency_ms=200)
    events: list[str] = []

    async def main() -> None:
        model = ScriptedModel(["Hello there, this is the whole answer.", "Second."])
        async with Emulator(model=model, transcribe=lambda pcm, ms: "and then?") as emu:
            agent = rtagents.Agent(name="a")
            async with rtagents.connect(agent, url=emu.url, player=player) as session:
                await session.send_text("hi")
                async for event in session:
                    if event.type == "response.output_audio.delta":
                        pcm = base64.b64decode(event.delta)
                        player.feed(event.item_id, pcm)
                        player.read(len(pcm))  # the speaker plays it at once
                    if event.type == "response.done":
                        break
                else:
                    pytest.fail("the session ended before the first answer was done")
                await anyio.sleep(0.5)  # the answer has sounded, latency included
                await session.send_audio(audio.silence(200).tobytes())
                await session.send_audio(audio.tone(600).tobytes())
                await session.send_audio(audio.silence(800).tobytes())
                with anyio.move_on_after(5):
                    async for event in session:
                        events.append(event.type)
                        if event.type == "response.done":
                            break
                    else:
                        pytest.fail("the session ended before the second answer was done")
                answer = next(i for i in session.history if getattr(i, "role", None) == "assistant")
                text = answer.content[0].transcript or answer.content[0].text
                events.append(f"first answer now: {text!r}")

    anyio.run(main)
    assert "conversation.item.truncated" not in events, events[-1]
