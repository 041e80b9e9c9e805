"""The checkers these tests run (mypy --strict, pyright, a process each) take several seconds
alone and far more on a loaded machine: each test may take as long as its checker's own
subprocess timeout, not the suite's 60 s. They run on one worker, one after another: mypy's
cache (``user_mypy``, one a process) then analyses rtagents and its dependencies once in
all, not once a worker."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent


@pytest.hookimpl(tryfirst=True)  # (before xdist reads the groups)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.timeout(300))
            item.add_marker(pytest.mark.xdist_group("type_checkers"))
