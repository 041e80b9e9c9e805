"""An agent module that imports a package not installed is one line, exit 2, whichever way
it is named: ``rtagents run my_agent:agent`` or ``rtagents run my_agent.py:agent``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.user_cli import rtagents

AGENT = "import not_installed_pkg_xyz\nimport rtagents\nagent = rtagents.Agent(name='a')\n"


@pytest.mark.parametrize("spec", ["needs_dep:agent", "needs_dep.py:agent"])
def test_a_missing_dependency_is_one_line(tmp_path: Path, spec: str) -> None:
    (tmp_path / "needs_dep.py").write_text(AGENT)
    result = rtagents(tmp_path, "run", spec, "--say", "hi")
    assert "Traceback" not in result.stderr, result.stderr[-300:]
    assert result.returncode == 2
    assert "not_installed_pkg_xyz" in result.stderr
