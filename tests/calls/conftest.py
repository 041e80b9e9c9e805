"""The calls tests' shared parts: a real Redis for the replicas' call registry, started once
for each test module that asks for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rtagents.testing import redis_server


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url
