"""LocalVoice on a 44.1 kHz (or 22.05 kHz) device: the answer is resampled from 24 kHz, and
libsoxr's stream gives one sample less than the exact length about half the time. The
player counts that played answer as 1 ms short of its length (``bytes * 1000 // (2 * rate)``
floors 999.98 ms to 999), so the user's next ordinary turn (``speech_started``) sends a
``conversation.item.truncate`` for an answer heard to its end. The real server then deletes
that answer's transcript: the model forgets what it said. (At 48 kHz, an exact ratio, the
same answer is left alone: ``test_local_voice_tail.py``.) 44.1 kHz is the default rate of
many built-in microphones, which ``SoundDevice`` takes as the device's rate."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents.audio import LocalVoice, resample
from rtagents.emulator import Emulator, ScriptedModel, audio
from rtagents.testing import FakeAudioDevice

pytestmark = pytest.mark.anyio
ANSWERS = [
    "Hello there, the whole answer.",
    "Sure, it is sunny in Rome today.",
    "Of course, I can help with that.",
    "The meeting is at three.",
]


@pytest.mark.parametrize("rate", [44_100, 22_050])
async def test_answers_heard_whole_are_not_truncated_by_the_next_turn(rate: int) -> None:
    device = FakeAudioDevice(b"", rate=rate, speed=4)
    voice = LocalVoice(device, duplex="full")
    speech = resample(audio.tone(700).tobytes(), 24_000, rate) + bytes(2 * rate)
    events: list[Any] = []
    heard: list[tuple[str, int, int | None]] = []  # (item, length in ms, played)
    async with Emulator(model=ScriptedModel(ANSWERS, then="Done.")) as emu:
        agent = rtagents.Agent(name="a")
        async with rtagents.connect(agent, url=emu.url, player=voice.player) as session:
            session.on("*")(events.append)
            async with anyio.create_task_group() as tg:
                tg.start_soon(voice.run, session)
                await session.send_text("hi")
                for turn in range(1, len(ANSWERS) + 1):
                    with anyio.fail_after(10):
                        while sum(e.type == "response.done" for e in events) < turn:
                            await anyio.sleep(0.01)
                        while voice.player.sounding(100):  # the answer plays out
                            await anyio.sleep(0.01)
                    deltas = [e for e in events if e.type == "response.output_audio.delta"]
                    item_id = deltas[-1].item_id
                    answer_ms = sum(len(e.delta) * 3 // 4 for e in deltas if e.item_id == item_id)
                    heard.append((item_id, answer_ms // 48, voice.player.played_ms(item_id)))
                    started = sum(e.type == "input_audio_buffer.speech_started" for e in events)
                    device.say(speech)  # the user's next turn, after the answer was heard
                    with anyio.fail_after(10):
                        while (
                            sum(e.type == "input_audio_buffer.speech_started" for e in events)
                            == started
                        ):
                            await anyio.sleep(0.01)
                        while not any(e.type == "audio.interrupted" for e in events[-20:]):
                            await anyio.sleep(0.01)
                await session.close()
        truncates = [
            (e["item_id"], e["audio_end_ms"])
            for e in emu.last.received
            if e["type"] == "conversation.item.truncate"
        ]
    assert truncates == [], f"answers (item, ms, played): {heard}; truncates sent: {truncates}"
