"""``rtagents run --in/--out`` with real speech at a rate and channel count other than the
session's, checked with sox; ``--voice`` without PortAudio fails with what to install."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.speech import espeak, need, sox, soxi
from tests.test_cli import rtagents

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
VOICE_AGENT = """
import rtagents

@rtagents.tool
def get_weather(city: str) -> str:
    \"\"\"Current weather for a city.\"\"\"
    return f"sunny in {city}"

agent = rtagents.Agent(
    name="voice",
    tools=[get_weather],
    transcription=rtagents.protocol.AudioTranscription(model="gpt-4o-mini-transcribe"),
)
"""


@pytest.mark.parametrize(("rate", "channels", "bits"), [(44_100, 2, 16), (16_000, 1, 24)])
def test_a_recording_in_gives_a_tool_call_and_a_playable_answer_out(
    tmp_path: Path, rate: int, channels: int, bits: int
) -> None:
    raw = espeak("What is the weather in Rome?", tmp_path / "raw.wav")
    question = sox(raw, tmp_path / "q.wav", "-r", str(rate), "-c", str(channels), "-b", str(bits))
    answer = tmp_path / "answer.wav"
    (tmp_path / "voice_agent.py").write_text(VOICE_AGENT)
    result = rtagents(
        "run",
        "voice_agent:agent",
        "--in",
        str(question),
        "--out",
        str(answer),
        "--hears",
        "What's the weather in Rome?",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "user: What's the weather in Rome?  (heard)" in result.stdout
    assert "-> get_weather(city='Rome')" in result.stdout
    assert (soxi(answer, "-r"), soxi(answer, "-c"), soxi(answer, "-b")) == ("24000", "1", "16")
    seconds = float(soxi(answer, "-D"))
    assert seconds > 0.5
    need("sox")
    stats = subprocess.run(
        ["sox", str(answer), "-n", "stat"], capture_output=True, text=True, check=True
    ).stderr
    rms = float(
        next(line for line in stats.splitlines() if "RMS     amplitude" in line).split()[-1]
    )
    assert rms > 0.01, "the answer is sound, not silence"
    assert f"s of the agent's voice (speech) to {answer}" in result.stdout  # espeak-ng's


def test_a_file_that_is_not_audio_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "q.wav"
    bad.write_text("hello")
    result = rtagents("run", "tools_basics:agent", "--in", str(bad), cwd=EXAMPLES)
    assert result.returncode == 2
    assert "not a PCM WAV file" in result.stderr
    missing = rtagents(
        "run", "tools_basics:agent", "--in", str(tmp_path / "none.wav"), cwd=EXAMPLES
    )
    assert missing.returncode == 2 and "no file" in missing.stderr


def test_voice_without_a_sound_system_says_what_is_missing() -> None:
    try:
        import sounddevice  # noqa: F401
    except OSError:
        pass
    else:
        pytest.skip("this machine has PortAudio; the fake-device tests cover voice here")
    result = rtagents("run", "tools_basics:agent", "--voice", cwd=EXAMPLES)
    assert result.returncode == 2
    assert "PortAudio" in result.stderr and "libportaudio2" in result.stderr
    assert "Traceback" not in result.stderr


def test_hears_is_only_for_the_emulator() -> None:
    result = rtagents(
        "run",
        "tools_basics:agent",
        "--url",
        "ws://127.0.0.1:9",
        "--hears",
        "x",
        "--say",
        "hi",
        cwd=EXAMPLES,
    )
    assert result.returncode == 2 and "--hears is for the offline emulator" in result.stderr


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (["--input-device", "1"], "--input-device: for --voice"),
        (["--output-device", "2", "--duplex", "full"], "--output-device, --duplex: for --voice"),
        (["--hears", "book a table"], "--hears says what your audio says"),
    ],
)
def test_an_option_that_would_do_nothing_is_said(options: list[str], said: str) -> None:
    """The audio options without the audio they are for (``--voice``, ``--in``) would be
    dropped without a word: the command says so, before any conversation."""
    result = rtagents("run", "tools_basics:agent", *options, "--say", "hi", cwd=EXAMPLES)
    assert result.returncode == 2 and said in result.stderr, result.stderr
