"""``rtagents run --in FILE.wav``: a recording the server splits into two turns, and a
recording on GPT-Live (the command's own error message recommends ``--in`` there)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from rtagents.audio import write_wav
from rtagents.emulator import audio

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}  # this checkout's rtagents in the subprocess


def run(*args: str, cwd: Path = EXAMPLES) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            [sys.executable, "-m", "rtagents", *args],
            capture_output=True,
            text=True,
            timeout=20,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            env=ENV,
        )
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(
            f"rtagents {' '.join(args)} hung; stdout so far: {exc.stdout!r}"
        ) from None


def test_a_recording_of_two_utterances_ends(tmp_path: Path) -> None:
    """Two utterances with a pause: the server's VAD commits two turns, and the second
    cancels the first turn's response (sent as fast as the socket takes it). The command
    waits for two message answers and gets one: it never ends."""
    wav = tmp_path / "two.wav"
    pcm = audio.tone(600).tobytes() + audio.silence(1500).tobytes() + audio.tone(600).tobytes()
    write_wav(str(wav), pcm)
    result = run("run", "tools_basics:agent", "--in", str(wav), "--hears", "hello there")
    assert result.returncode == 0, result.stderr
    assert "You said: hello there" in result.stdout


def test_a_recording_on_gpt_live_offline(tmp_path: Path) -> None:
    """`--api live --in FILE.wav --hears TEXT`: what 'GPT-Live has no text input: talk to it
    with --in FILE.wav' points to. It fails with 'GPT-Live has no input audio commit'."""
    wav = tmp_path / "q.wav"
    write_wav(str(wav), audio.tone(600).tobytes() + audio.silence(1500).tobytes())
    result = run(
        "run",
        "tools_basics:agent",
        "--api",
        "live",
        "--in",
        str(wav),
        "--hears",
        "What's the weather in Rome?",
    )
    assert result.returncode == 0, result.stderr
    assert "get_weather(city='Rome')" in result.stdout


def test_a_recording_on_gpt_live_without_hears_has_no_traceback(tmp_path: Path) -> None:
    """Without --hears the emulator's transcriber is ``heard_as[0]`` of an empty list: an
    IndexError traceback from the emulator, on stderr, for each utterance."""
    wav = tmp_path / "q.wav"
    write_wav(str(wav), audio.tone(600).tobytes() + audio.silence(1500).tobytes())
    result = run("run", "tools_basics:agent", "--api", "live", "--in", str(wav))
    assert "Traceback" not in result.stderr, result.stderr


def test_a_recording_without_speech_ends(tmp_path: Path) -> None:
    """Two seconds of silence: the server's VAD finds no turn, so nothing is committed and
    nothing answered (the command waited for an answer for good): it ends, saying no speech
    was heard."""
    wav = tmp_path / "silence.wav"
    write_wav(str(wav), audio.silence(2000).tobytes())
    result = run("run", "tools_basics:agent", "--in", str(wav), "--hears", "hello there")
    assert "Traceback" not in result.stderr
    assert result.returncode == 0, result.stderr
    assert "no speech was heard" in result.stdout
