"""``--out ""`` (a script's ``--out "$ANSWER"`` with the variable unset) names no file:
``wav_out`` refuses it up front, for ``run`` and ``demo`` alike, rather than a run that
writes nothing or a demo that writes its default unsaid."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.harness import AGENT
from tests.cli.user_cli import rtagents


@pytest.mark.parametrize("command", [["run", "empty_out:agent", "--say", "hi"], ["demo"]])
def test_an_empty_out_is_refused(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "empty_out.py").write_text(AGENT)
    result = rtagents(tmp_path, *command, "--out", "")
    assert result.returncode == 2, (result.returncode, result.stdout[-300:])
    assert "--out" in result.stderr
