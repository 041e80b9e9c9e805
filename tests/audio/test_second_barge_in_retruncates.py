"""A second ``speech_started`` before any new assistant audio (the user coughs, then
speaks; or pauses and goes on before the next answer's first delta) truncates the same,
already truncated item again. ``Playback`` keeps the item as the latest, whole, and
``PlaybackBuffer.played_ms`` grows once the device latency has passed: the second truncate
asks for more audio than the first one left, and the server refuses it ("Audio content of
N ms is already shorter than M ms")."""

from __future__ import annotations

import base64
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.audio import PlaybackBuffer
from rtagents.emulator import Emulator, ScriptedModel, audio

pytestmark = pytest.mark.anyio


async def test_a_second_barge_in_does_not_truncate_the_cut_item_again() -> None:
    player = PlaybackBuffer(latency_ms=300)  # a real device's output latency
    long_answer = "This answer goes on for a while, long enough to talk over it. " * 3
    errors: list[Any] = []
    truncated: list[Any] = []
    async with Emulator(model=ScriptedModel([long_answer])) as emu:
        agent = rtagents.Agent(
            name="a",
            turn_detection=rtagents.protocol.ServerVad(
                silence_duration_ms=200, create_response=False
            ),
        )
        async with rtagents.connect(agent, url=emu.url, player=player) as session:
            session.on("error")(errors.append)
            session.on("conversation.item.truncated")(truncated.append)
            await session.send_text("hi")
            item = None
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "response.output_audio.delta":
                        item = event.item_id
                        player.feed(event.item_id, base64.b64decode(event.delta))
                    if event.type == "response.done":
                        break
                else:
                    pytest.fail("the session ended before the answer was done")
            assert item is not None
            player.read(48_000)  # the speaker has read 1 s of it, 300 ms still on its way
            # The user barges in: truncated at what was heard (700 ms).
            await session.send_audio(audio.tone(300).tobytes())
            with anyio.fail_after(5):
                while not truncated:
                    await anyio.sleep(0.01)
            first = truncated[0].audio_end_ms
            with anyio.fail_after(5):  # the latency passes: the 300 ms were heard after all
                while player.played_ms(item) < 1000:
                    await anyio.sleep(0.02)
            # A pause, then the user speaks on (no new answer yet: create_response=False).
            await session.send_audio(audio.silence(400).tobytes())
            await session.send_audio(audio.tone(300).tobytes())
            await session.send_audio(audio.silence(400).tobytes())
            with anyio.fail_after(5):
                while (
                    sum(e["type"] == "input_audio_buffer.speech_started" for e in emu.last.sent) < 2
                ):
                    await anyio.sleep(0.01)
            # Any truncate the session sends is answered (an error, or truncated).
            with anyio.move_on_after(1):
                while not errors and len(truncated) < 2:
                    await anyio.sleep(0.01)
    sent = [
        e["audio_end_ms"] for e in emu.last.received if e["type"] == "conversation.item.truncate"
    ]
    assert not errors, (sent, [getattr(e, "message", e) for e in errors])
    assert sent == [first]
