"""Shared fixtures and settings: async tests run through anyio on asyncio; `-n auto` sizes
the pytest-xdist workers."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.logs import every_log_line


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def log_lines() -> Iterator[list[str]]:
    """Every log line of the test, every logger at DEBUG (see ``tests.logs``)."""
    with every_log_line() as lines:
        yield lines


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's hook: `-n auto` asks it how many workers
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """Three workers per core: most tests wait on sockets, subprocesses and timers, not the
    CPU (on 2 cores, 2 workers took the suite from 4 min 47 s to 2 min 28 s, and 4 to 1 min
    41 s; grown to 3,680 tests, it took 8 min 29 s with 4 workers and 7 min 29 s with 6)."""
    return 3 * (os.cpu_count() or 1)


@pytest.fixture
def dead_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment names a proxy for the rest of the world, and nothing listens there:
    what goes through it fails, what reaches this machine directly works."""
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests of an ``xdist_group`` first: each group runs on one worker, one test after
    another (a browser's, the type checkers', a wheel's build), and started last it would
    keep one worker busy long after the others ran out of tests."""
    items.sort(key=lambda item: item.get_closest_marker("xdist_group") is None)
