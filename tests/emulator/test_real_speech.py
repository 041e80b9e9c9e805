"""Server VAD on real speech (espeak-ng, resampled to 24 kHz by sox): the same audio gives
the same turns whether it is sent as fast as possible or in real time, because the
emulator detects speech on audio time, not arrival time."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import wave
from pathlib import Path
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio
CHUNK = 24_000 * 2 // 50  # 20 ms of pcm16, as a microphone delivers it
TEXT = "What is the weather in Paris today? I would like to know before I go out."


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    missing = [tool for tool in ("espeak-ng", "sox") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{' and '.join(missing)} missing: `make test` installs them (Debian packages)")
    folder = tmp_path_factory.mktemp("speech")
    raw, resampled = folder / "raw.wav", folder / "speech.wav"
    subprocess.run(["espeak-ng", "-w", str(raw), TEXT], check=True)
    subprocess.run(
        ["sox", str(raw), "-r", "24000", "-c", "1", "-b", "16", str(resampled)], check=True
    )
    with wave.open(str(resampled), "rb") as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (24_000, 1, 2)
        # Half a second of silence after, so the last turn ends.
        return w.readframes(w.getnframes()) + b"\0" * (24_000 * 2 // 2)


async def turns(pcm: bytes, *, real_time: bool) -> list[tuple[str, Any]]:
    """The input buffer's events, with their audio times, for one pass over ``pcm``."""
    agent = rtagents.Agent(name="ears", output_modalities=["text"])
    seen: list[tuple[str, Any]] = []
    async with Emulator(model=ScriptedModel([], then="ok")) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            started = time.monotonic()
            for index, start in enumerate(range(0, len(pcm), CHUNK)):
                await session.send_audio(pcm[start : start + CHUNK])
                if real_time:
                    await anyio.sleep(max(0, started + (index + 1) * 0.02 - time.monotonic()))
            await anyio.sleep(0.3)  # the last events arrive
        for event in emu.last.sent:
            if event["type"] == "input_audio_buffer.speech_started":
                seen.append(("started", event["audio_start_ms"]))
            elif event["type"] == "input_audio_buffer.speech_stopped":
                seen.append(("stopped", event["audio_end_ms"]))
            elif event["type"] == "input_audio_buffer.committed":
                seen.append(("committed", None))
    return seen


async def test_real_speech_gives_the_same_turns_fast_or_in_real_time(speech: bytes) -> None:
    fast = await turns(speech, real_time=False)
    paced = await turns(speech, real_time=True)
    assert fast == paced
    assert fast.count(("committed", None)) >= 1
    assert fast[0][0] == "started" and fast[-1] == ("committed", None)


async def test_the_wav_example_answers_real_speech(speech: bytes, tmp_path: Path) -> None:
    question = tmp_path / "question.wav"
    with wave.open(str(question), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(24_000)
        w.writeframes(speech)
    example = Path(__file__).parents[2] / "examples" / "audio_wav.py"
    with anyio.fail_after(60):
        done = await anyio.run_process(
            [sys.executable, str(example), str(question)], cwd=tmp_path, check=False
        )
    out = done.stdout.decode()
    assert done.returncode == 0, done.stderr.decode()
    assert "assistant (spoken):" in out and "wrote" in out
