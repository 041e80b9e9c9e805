"""The ``realtime`` fixture's plugin costs a pytest run nothing until a test uses it.

pytest loads every installed ``pytest11`` plugin at the start of every run, in any project
of an environment where rtagents is installed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

A_USERS_TESTS = """
import sys

HEAVY = ("rtagents", "mcp", "pydantic", "websockets", "starlette", "uvicorn")


def loaded():
    return sorted(m for m in sys.modules if m.split(".")[0] in HEAVY)


def test_a_run_that_does_not_use_the_fixture_imports_nothing_of_rtagents(pytestconfig):
    assert pytestconfig.pluginmanager.has_plugin("rtagents"), "the plugin was not loaded"
    assert loaded() == []


def test_the_fixture_brings_rtagents_when_asked_for(realtime):
    assert type(realtime).__name__ == "Realtime"
    assert "rtagents.testing" in loaded()
"""


def test_the_plugin_imports_rtagents_only_when_its_fixture_is_used(tmp_path: Path) -> None:
    (tmp_path / "test_users.py").write_text(A_USERS_TESTS)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_users.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "2 passed" in result.stdout


def test_the_testing_pages_example_passes_where_trio_is_installed(tmp_path: Path) -> None:
    """docs/testing.md's first block, as a user saves it, with no conftest of theirs: anyio's
    plugin also runs it on trio (installed here), and rtagents runs on asyncio only, so that
    run is skipped with the reason, never failed."""
    import re

    pytest.importorskip("trio")
    page = (Path(__file__).resolve().parents[1] / "docs" / "testing.md").read_text()
    first = re.findall(r"^```python[^\n]*\n(.*?)^```", page, re.M | re.S)[0]
    assert "def test_books_a_table(realtime)" in first
    (tmp_path / "test_concierge.py").write_text(first)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rs",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            "test_concierge.py",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "rtagents runs on asyncio, not trio" in result.stdout, result.stdout[-3000:]
