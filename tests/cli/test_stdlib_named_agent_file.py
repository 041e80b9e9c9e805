"""An agent file named as a module of Python's standard library (``email.py``, ``json.py``)
would take that module's place for the libraries rtagents runs on, and fail deep in one of
them with an error that does not name the file: the CLI says so up front, and exits 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_a_file_named_as_a_standard_module_is_refused_saying_why(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    agent_file = tmp_path / "app" / "email.py"
    agent_file.write_text("import rtagents\nagent = rtagents.Agent(name='e')\n")
    result = subprocess.run(  # (from another directory: ``-m`` puts the current one first)
        [sys.executable, "-m", "rtagents", "run", f"{agent_file}:agent", "--say", "hi"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert "standard library (email)" in result.stderr and "rename the file" in result.stderr
    assert "Traceback" not in result.stderr
