"""The checkers these tests run (mypy --strict, pyright, a process each, not incremental)
take several seconds alone and far more on a loaded machine: each test may take as long as
its checker's own subprocess timeout, not the suite's 60 s."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.timeout(300))
