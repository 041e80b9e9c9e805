"""`rtagents run --out FILE.wav` writes the agent's voice, on either API: docs/cli.md says
`--out` makes the agent answer aloud "so that there is a voice to write", and docs/live.md
says local voice "works the same on both". On GPT-Live (`--api live`) the agent's audio
arrives as `session.output_audio.delta`, and the offline emulator speaks it (its transcript
is printed); the WAV written holds that voice, not an empty file with "0.00 s"."""

from __future__ import annotations

import wave
from pathlib import Path

from tests.cli.user_cli import rtagents

AGENT = """
import rtagents
agent = rtagents.Agent(name="voice")
"""


def test_out_keeps_the_voice_of_a_live_agent(tmp_path: Path) -> None:
    (tmp_path / "voice_agent.py").write_text(AGENT)
    done = rtagents(
        tmp_path,
        "run",
        "voice_agent:agent",
        "--api",
        "live",
        "--say",
        "Hello there, how are you",
        "--out",
        "a.wav",
    )
    said = done.stdout + done.stderr
    assert done.returncode == 0, said
    assert "assistant: You said" in said, said  # the agent did answer (aloud, on Live)
    with wave.open(str(tmp_path / "a.wav")) as w:
        seconds = w.getnframes() / w.getframerate()
    assert seconds > 0.5, f"--out wrote {seconds:.2f} s of a spoken answer:\n{said}"
