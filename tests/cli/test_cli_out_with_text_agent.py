"""`rtagents run ... --out answer.wav` with an agent that answers in text.

The CLI's own rule (rtagents/_cli_run.py): "An option that would do nothing is said, not
silently dropped." With `output_modalities=["text"]` (what the quickstart teaches) there is
no voice to write: the command writes an empty 44-byte WAV and reports success as if it
had recorded "0.00 s of the agent's voice (speech)".
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.cli.user_cli import rtagents

AGENT = '''
import rtagents


@rtagents.tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"sunny in {city}"


agent = rtagents.Agent(name="weather", tools=[get_weather], output_modalities=["text"])
'''


def test_out_says_a_text_agent_has_no_voice(tmp_path: Path) -> None:
    (tmp_path / "weather_agent.py").write_text(AGENT)
    done = rtagents(
        tmp_path, "run", "weather_agent:agent", "--say", "Weather in Paris?", "--out", "a.wav"
    )
    said = done.stdout + done.stderr
    assert done.returncode == 2 or "sunny in Paris" in said, said
    # Refused up front, or at least told: the agent answers in text, so --out has nothing.
    told = done.returncode == 2 or re.search(r"output_modalities|in text|text only|no audio", said)
    assert told, f"exit {done.returncode}, silently wrote an empty WAV:\n{said}"
