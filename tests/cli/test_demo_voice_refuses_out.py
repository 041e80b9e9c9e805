"""``rtagents demo --voice`` plays the agent's voice on the speakers and writes no file, so
``--out`` with it is refused up front (an option that would do nothing is said), not taken
and dropped."""

from __future__ import annotations

from pathlib import Path

from tests.cli.user_cli import rtagents


def test_demo_voice_with_out_is_refused(tmp_path: Path) -> None:
    result = rtagents(tmp_path, "demo", "--voice", "--out", str(tmp_path / "voice.wav"))
    assert result.returncode == 2, (result.returncode, result.stdout[-300:])
    assert "--out" in result.stderr and "--voice" in result.stderr
    assert not (tmp_path / "voice.wav").exists()
