"""The emulator's server VAD (rtagents/emulator/vad.py) hears one utterance with no pause in it
as one turn. A 10 ms frame starts a turn when its RMS is above ``threshold / 10`` of full scale
(-26 dBFS at the default 0.5). Once the turn has started, frames down to half that level (6 dB
lower) keep it going, and it ends after ``silence_duration_ms`` (200 by default) of frames
below. Unvoiced consonants ("th", "s", "f", "h") sit 15-25 dB under the vowels. With the start
level alone, a run of them inside a phrase would read as silence: espeak-ng saying "Sixteen
thousand five hundred" would be cut after "Sixteen" into two user turns (two commits, the model
answering "Sixteen"), and "What is the weather in Paris?" said 12 dB quieter (a normal
microphone level) into three."""

from __future__ import annotations

import wave
from pathlib import Path

import anyio
import pytest

import rtagents
from rtagents.emulator import Emulator, ScriptedModel
from tests.speech import espeak, sox

pytestmark = pytest.mark.anyio


def _speech(tmp_path: Path, text: str, *effects: str) -> bytes:
    raw = espeak(text, tmp_path / "raw.wav")
    at_24k = sox(raw, tmp_path / "24k.wav", "-r", "24000", effects=effects)
    with wave.open(str(at_24k)) as w:
        return w.readframes(w.getnframes()) + bytes(2 * 24_000)  # then a second of silence


async def _turns(pcm: bytes) -> list[int]:
    async with Emulator(model=ScriptedModel(["ok"] * 5)) as emu:
        async with rtagents.connect(rtagents.Agent(name="a"), url=emu.url) as session:
            for start in range(0, len(pcm), 960):
                await session.send_audio(pcm[start : start + 960])
            await anyio.sleep(0.3)
        return [
            e["audio_start_ms"]
            for e in emu.last.sent
            if e["type"] == "input_audio_buffer.speech_started"
        ]


async def test_a_number_said_without_a_pause_is_one_turn(tmp_path: Path) -> None:
    starts = await _turns(_speech(tmp_path, "Sixteen thousand five hundred"))
    assert len(starts) == 1, f"one utterance heard as {len(starts)} turns, starting at {starts}"


async def test_a_question_at_a_normal_microphone_level_is_one_turn(tmp_path: Path) -> None:
    starts = await _turns(_speech(tmp_path, "What is the weather in Paris?", "vol", "0.25"))
    assert len(starts) == 1, f"one utterance heard as {len(starts)} turns, starting at {starts}"
