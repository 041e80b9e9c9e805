"""``python examples/audio_wav.py [question.wav]`` (its docstring): a recording that ends
while the speaker still speaks (trimmed at the last word, as recordings often are) never
ends a turn for server VAD, and the example's ``async for`` waits for an answer for ever.
(``rtagents run --in`` sends a second of silence after the file for exactly this.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from rtagents.audio import write_wav
from rtagents.emulator import audio

ROOT = Path(__file__).resolve().parents[2]


def test_a_recording_trimmed_at_its_last_word_is_answered(tmp_path: Path) -> None:
    question = tmp_path / "question.wav"
    write_wav(str(question), audio.silence(200).tobytes() + audio.tone(800).tobytes())
    try:
        done = subprocess.run(
            [sys.executable, str(ROOT / "examples" / "audio_wav.py"), str(question)],
            capture_output=True,
            text=True,
            timeout=20,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    except subprocess.TimeoutExpired:
        raise AssertionError("examples/audio_wav.py never ended") from None
    assert done.returncode == 0, done.stderr
    assert "assistant (spoken): sunny in Paris." in done.stdout
