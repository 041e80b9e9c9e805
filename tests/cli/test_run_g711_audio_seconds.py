"""``rtagents run`` prints how much audio each answer had (``[.. ms, N s of audio]``). The
console counts the deltas in the format ``session.created``/``session.updated`` said, but
it is subscribed after ``connect`` returned, when those events have gone by: for a G.711
agent (8 bytes a millisecond, not pcm16's 48) it shows a sixth of the real length, while
``--out`` writes the whole answer."""

from __future__ import annotations

import os
import re
from pathlib import Path

from tests.speech import espeak, sox, soxi
from tests.test_cli import rtagents

ROOT = Path(__file__).resolve().parents[2]
AGENT = """
import rtagents

@rtagents.tool
def get_weather(city: str) -> str:
    \"\"\"Current weather for a city.\"\"\"
    return f"sunny in {city}"

agent = rtagents.Agent(
    name="voice",
    tools=[get_weather],
    input_audio_format="pcmu",
    output_audio_format="pcmu",
    transcription=rtagents.protocol.AudioTranscription(model="gpt-4o-mini-transcribe"),
)
"""


def test_the_seconds_of_audio_shown_for_a_g711_answer_are_its_length(tmp_path: Path) -> None:
    raw = espeak("What is the weather in Rome?", tmp_path / "raw.wav")
    question = sox(raw, tmp_path / "q.wav", "-r", "48000", "-c", "2", "-b", "8")
    answer = tmp_path / "answer.wav"
    (tmp_path / "g711_agent.py").write_text(AGENT)
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{tmp_path}"}
    result = rtagents(
        "run", "g711_agent:agent", "--in", str(question), "--out", str(answer),
        "--hears", "What's the weather in Rome?", cwd=tmp_path, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    shown = re.findall(r"assistant: .*, ([\d.]+) s of audio\]", result.stdout)
    assert shown, result.stdout
    written = float(soxi(answer, "-D"))  # the one spoken answer, as --out wrote it
    assert abs(float(shown[-1]) - written) <= 0.1, (shown, written, result.stdout)
