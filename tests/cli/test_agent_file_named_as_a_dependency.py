"""An agent file named as rtagents itself or one of the libraries it runs on (``rtagents.py``,
``anyio.py``, ``websockets.py``) is put in ``sys.modules`` under that name by ``rtagents run``,
in place of the module already imported: the user's own ``import rtagents`` then gets the file
itself, and anyio's backend lookup fails with "pip install anyio[asyncio]". The command
already refuses a file named as a standard module, saying why; these must be said as clearly
(exit 2, no traceback), not crash deep in a library."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.harness import env

AGENT = """\
import rtagents


@rtagents.tool
def get_weather(city: str) -> str:
    \"\"\"Weather in a city.\"\"\"
    return f"sunny in {city}"


concierge = rtagents.Agent(name="concierge", tools=[get_weather], output_modalities=["text"])
"""


@pytest.mark.parametrize("stem", ["rtagents", "anyio", "websockets"])
def test_a_file_named_as_a_dependency_is_refused_saying_why(tmp_path: Path, stem: str) -> None:
    (tmp_path / "app").mkdir()
    agent_file = tmp_path / "app" / f"{stem}.py"
    agent_file.write_text(AGENT)
    result = subprocess.run(  # (from another directory: ``-m`` puts the current one first)
        [sys.executable, "-m", "rtagents", "run", f"{agent_file}:concierge", "--say", "hi"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env=env(),
    )
    assert "Traceback" not in result.stderr, result.stderr[-600:]
    assert result.returncode == 2, result.stderr[-600:]
    assert stem in result.stderr and "rename the file" in result.stderr
