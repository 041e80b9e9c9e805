"""``user_mypy`` keeps one mypy cache a process, and the user's program is checked afresh
each run. mypy is given ``user_code.py`` relative to its folder, so every run's module is
``user_code`` at the same path, and mypy trusts a cached module whose size and whole-second
mtime match without hashing it: a program written in the same second as an earlier one of
the same size (two calls in a test; another test's) got the earlier result, a type error
passing. The mtime is pinned here to make "the same second" certain."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from .user_mypy import mypy

GOOD = "x: int = 1\n"
BAD = "x: str = 1\n"  # the same size: an int where a str is declared


def test_a_type_error_written_in_the_same_second_is_still_caught(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert len(GOOD) == len(BAD)
    write = Path.write_text

    def same_second(self: Path, data: str, *args: Any, **kwargs: Any) -> int:
        written = write(self, data, *args, **kwargs)
        os.utime(self, (1_800_000_000, 1_800_000_000))
        return written

    monkeypatch.setattr(Path, "write_text", same_second)
    first, second = tmp_path / "a", tmp_path / "b"  # two tests' folders, even
    first.mkdir()
    second.mkdir()
    assert mypy(first, GOOD).returncode == 0
    result = mypy(second, BAD)
    assert result.returncode == 1 and "Incompatible types" in result.stdout, result.stdout
