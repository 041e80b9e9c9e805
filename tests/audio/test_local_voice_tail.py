"""LocalVoice resamples the assistant's audio to the device's rate with a StreamResampler, and
flushes it (and its Decoder) at each answer's end, so the answer's last samples play under its
own item id. libsoxr holds ~32 ms at 24 kHz -> 48 kHz. Unflushed, the end of every answer would
stay in the resampler until the *next* answer's first delta pushed it out, under the next item's
id. With a 48 kHz device (the common default) that would mean:

- the last ~32 ms of each answer would not play when it ends, but at the start of the next
  answer;
- the player would never count them for the item, so ``played_ms`` of a fully played answer
  would be short, and the user's next turn (speech_started) would truncate an answer heard whole
  (the server then drops its transcript).

So a fully played answer counts its whole length, and the user's next turn sends no truncate."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents.audio import LocalVoice, resample
from rtagents.emulator import Emulator, ScriptedModel, audio
from rtagents.testing import FakeAudioDevice

pytestmark = pytest.mark.anyio
RATE = 48_000


async def test_a_fully_played_answer_is_counted_whole_and_not_truncated_by_the_next_turn() -> None:
    device = FakeAudioDevice(b"", rate=RATE, speed=4)
    voice = LocalVoice(device, duplex="full")
    speech = resample(audio.tone(700).tobytes(), 24_000, RATE) + bytes(2 * RATE)
    events: list[Any] = []
    async with Emulator(model=ScriptedModel(["Hello there, the whole answer.", "Next."])) as emu:
        agent = rtagents.Agent(name="a")
        async with rtagents.connect(agent, url=emu.url, player=voice.player) as session:
            session.on("*")(events.append)
            async with anyio.create_task_group() as tg:
                tg.start_soon(voice.run, session)
                await session.send_text("hi")
                with anyio.fail_after(8):
                    while not any(e.type == "response.done" for e in events):
                        await anyio.sleep(0.01)
                    while voice.player.sounding(100):  # the answer plays out
                        await anyio.sleep(0.01)
                deltas = [e for e in events if e.type == "response.output_audio.delta"]
                item_id = deltas[0].item_id
                answer_ms = sum(
                    audio.duration_ms(len(e.delta) * 3 // 4, "audio/pcm") for e in deltas
                )
                played = voice.player.played_ms(item_id)
                device.say(speech)  # the user's next turn, after the answer was heard
                with anyio.fail_after(8):
                    while not any(e.type == "input_audio_buffer.speech_started" for e in events):
                        await anyio.sleep(0.01)
                    await anyio.sleep(0.3)
                await session.close()
        truncates = [e for e in emu.last.received if e["type"] == "conversation.item.truncate"]
    assert (played, truncates) == (answer_ms, []), (
        f"answer {answer_ms} ms played out, player counts {played} ms; truncates sent: "
        f"{[t['audio_end_ms'] for t in truncates]}"
    )
