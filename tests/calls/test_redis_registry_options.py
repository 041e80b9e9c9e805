"""``RedisRegistry``'s times are checked where they are written: a lease or memory of zero
(Redis refuses ``SET ... PX 0``) failed every claim and every end, retried quietly, and a
string from a config file failed later, call after call."""

from __future__ import annotations

import pytest

from rtagents.calls.registry_redis import RedisRegistry


@pytest.mark.parametrize("option", ["lease_s", "remember_s", "command_timeout"])
@pytest.mark.parametrize("value", [0, -1, float("nan"), "30", True])
def test_a_time_that_is_no_time_is_refused(option: str, value: object) -> None:
    with pytest.raises(ValueError, match=option):
        RedisRegistry("redis://localhost:6379/0", **{option: value})  # type: ignore[arg-type]


def test_a_short_lease_is_taken() -> None:
    registry = RedisRegistry("redis://localhost:6379/0", lease_s=0.0004)
    assert registry.lease_ms == 1
