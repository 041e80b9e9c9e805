"""Every module of ``rtagents`` stays under the house's size: a file over it has more than
one job, and is split by responsibility (not by cutting it in the middle)."""

from __future__ import annotations

from pathlib import Path

import rtagents

MAX_LINES = 400
PACKAGE = Path(rtagents.__file__).parent


def test_every_module_is_at_most_400_lines() -> None:
    sizes = {
        path.relative_to(PACKAGE).as_posix(): len(path.read_text().splitlines())
        for path in sorted(PACKAGE.rglob("*.py"))
    }
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}
