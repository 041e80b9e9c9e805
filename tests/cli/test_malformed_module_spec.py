"""A malformed MODULE:NAME is a mistake on the command line: one line and exit status 2, as
for 'nosuch:agent' or 'agents' (no colon). An empty module or a relative one ('.agents')
comes out as a Python traceback (ValueError / TypeError from importlib) and exit status 1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def rtagents(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rtagents", *args],
        capture_output=True,
        text=True,
        timeout=20,
        cwd=EXAMPLES,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


@pytest.mark.parametrize(
    "argv",
    [
        ("run", ".tools_basics:agent", "--say", "hi"),
        ("serve", ":app", "--port", "0"),
        ("serve", ".browser_app:app", "--port", "0"),
    ],
    ids=["run-relative", "serve-empty", "serve-relative"],
)
def test_a_malformed_module_name_is_one_line(argv: tuple[str, ...]) -> None:
    result = rtagents(*argv)
    assert "Traceback" not in result.stderr, result.stderr[-400:]
    assert result.returncode == 2
    assert result.stderr.startswith(f"rtagents {argv[0]}: ")
