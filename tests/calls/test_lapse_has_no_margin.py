"""A replica cut off from Redis lets a claim go *before* its lease runs out, also when one
round failed at once (Redis refused) and the next then timed out (a partition): each round
trip of renewals is bounded on the beat (``began`` plus a period), which ``_lapse`` counts
on, with a tenth of a period to spare. Before, a round trip was bounded from its own start,
a little after the beat, and the claim was let go just after its lease ran out (another
replica may have adopted the call by then). A stand-in for Redis's client: the timing to
the millisecond of a Redis that refuses at once, then answers nothing, is not a real
server's to give (redis-py's own retries and backoff stand between)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from rtagents.calls.registry_redis import RedisRegistry

pytestmark = pytest.mark.anyio
LEASE_S = 0.6


class Client:
    def __init__(self) -> None:
        self.rounds = 0
        self.renewed_at: list[float] = []

    async def eval(self, script: str, *args: Any) -> Any:
        self.rounds += 1
        if self.rounds == 1:  # renewed: the claim's lease runs from now
            self.renewed_at.append(anyio.current_time())
            return [1]
        if self.rounds == 2:  # Redis refuses at once (a restart)
            raise ConnectionError("Connection refused")
        await anyio.sleep(100)  # then a partition: nothing answers


class Host:
    def __init__(self) -> None:
        self.lost_at: float | None = None

    async def lost(self, call_id: str) -> None:
        self.lost_at = anyio.current_time()

    def adopting(self) -> bool:
        return False


async def test_a_claim_is_let_go_before_its_lease_runs_out() -> None:
    registry = RedisRegistry("redis://localhost:1/0", replica="a", lease_s=LEASE_S)
    client, host = Client(), Host()
    registry._client = client
    registry._host = host  # type: ignore[assignment]
    registry._owned["c1"] = '{"id": "c1"}'
    registry._renewed["c1"] = anyio.current_time()
    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            registry._tg = tg
            tg.start_soon(registry._renew)
            while host.lost_at is None:
                await anyio.sleep(0.001)
            tg.cancel_scope.cancel()
    ran_out = client.renewed_at[0] + LEASE_S
    assert host.lost_at < ran_out, (
        f"let go {1000 * (host.lost_at - ran_out):.2f} ms after its lease ran out"
    )
