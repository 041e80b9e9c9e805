"""Review (twilio/audio): a barge-in over an answer of which nothing was played yet cuts the
answer *before* it again, past where the first barge-in cut it, and the server refuses.

The user talks over answer A after the speaker read 1 s of it, 300 ms of which were still
on their way (the device's output latency): A is truncated at about 700 ms (right). The model
answers again (B); B's audio is queued but the speaker has not read any of it when the user
talks again. Meanwhile the latency has passed, so ``PlaybackBuffer.played_ms(A)`` reads
1000. The session finds nothing of B played and falls back to the items before it
(``heard_item``'s ``earlier``), takes A for the item being played
(``Playback.playing`` forgets that A was cut at 700) and sends a truncate of A at 1000 ms:
"Audio content of 700ms is already shorter than 1000ms". docs/voice.md: "When nothing was
played, no truncate is sent"; and the retruncation fix (tests/audio/
test_second_barge_in_retruncates.py) is lost as soon as a new answer began.
"""

from __future__ import annotations

import base64
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.audio import PlaybackBuffer
from rtagents.emulator import Emulator, ScriptedModel, audio

pytestmark = pytest.mark.anyio
LONG = "This answer goes on for a while, long enough to talk over it. " * 3


async def test_a_barge_in_over_an_unheard_answer_sends_no_truncate_of_the_one_before() -> None:
    player = PlaybackBuffer(latency_ms=300)
    errors: list[Any] = []
    truncated: list[Any] = []
    items: list[str] = []
    async with Emulator(model=ScriptedModel([LONG, LONG])) as emu:
        agent = rtagents.Agent(
            name="a",
            turn_detection=rtagents.protocol.ServerVad(
                silence_duration_ms=200, create_response=False
            ),
        )
        async with rtagents.connect(agent, url=emu.url, player=player) as session:
            session.on("error")(errors.append)
            session.on("conversation.item.truncated")(truncated.append)

            async def answer() -> str:
                with anyio.fail_after(10):
                    async for event in session:
                        if event.type == "response.output_audio.delta":
                            if not items or items[-1] != event.item_id:
                                items.append(event.item_id)
                            player.feed(event.item_id, base64.b64decode(event.delta))
                        if event.type == "response.done":
                            return items[-1]
                    pytest.fail("the session ended before the answer was done")

            await session.send_text("hi")
            first = await answer()
            player.read(48_000)  # the speaker has read 1 s of A, 300 ms still on its way
            await session.send_audio(audio.tone(300).tobytes() + audio.silence(400).tobytes())
            with anyio.fail_after(5):
                while not truncated:
                    await anyio.sleep(0.01)
            cut = truncated[0].audio_end_ms
            assert 700 <= cut < 1000  # what was heard then (the latency still passing)
            await session.create_response()  # the model answers again: B, none of it played
            second = await answer()
            assert second != first
            with anyio.fail_after(5):  # the latency passes: A's 300 ms were heard after all
                while player.played_ms(first) < 1000:
                    await anyio.sleep(0.02)
            await session.send_audio(audio.tone(300).tobytes() + audio.silence(400).tobytes())
            with anyio.fail_after(5):
                while (
                    sum(e["type"] == "input_audio_buffer.speech_started" for e in emu.last.sent) < 2
                ):
                    await anyio.sleep(0.01)
            with anyio.move_on_after(1):
                while not errors and len(truncated) < 2:
                    await anyio.sleep(0.01)
    sent = [
        (e["item_id"], e["audio_end_ms"])
        for e in emu.last.received
        if e["type"] == "conversation.item.truncate"
    ]
    assert not errors, (sent, [getattr(e, "message", e) for e in errors])
    assert sent == [(first, cut)], sent
