"""A replica renews its claims one Redis round trip per call, one after another, and sleeps
a third of the lease *after* the round (``RedisRegistry._renew``). So a claim is
renewed every ``lease_s / 3 + calls x round trip``, not every ``lease_s / 3`` as
docs/deployment.md says ("``RedisRegistry(url, lease_s=6)`` gives at most 8 s, and one
renewal per call every 2 s"). With a few thousand calls in one process (docs: 2,000 to
10,000 sideband sessions per process) and Redis one millisecond away (another zone, a
managed Redis), the round outlasts the lease: the other replicas find live calls whose
lease ran out and adopt them while their replica is alive and running them (a second
sideband on each call; the first is closed at the owner's next renewal, cutting off its
tool calls in flight), round after round.

Real redis-server; the replicas' registries as a CallServer runs them; a TCP relay adds
1 ms to each of replica A's Redis replies (the network between A and Redis)."""

from __future__ import annotations

import uuid
from typing import Any

import anyio
import pytest

from rtagents.calls.registry_redis import RedisRegistry
from tests.calls.harness import Relay

pytestmark = pytest.mark.anyio

CALLS = 4000  # one process's share; the docs size a process at 2,000 to 10,000 sessions
LEASE_S = 6.0  # the docs' example of a shorter lease


class Host:
    """A CallServer's side of the registry, noting what it is asked."""

    def __init__(self) -> None:
        self.adopted: list[str] = []
        self.let_go: list[str] = []

    async def execute(self, call_id: str, command: str, args: dict[str, Any]) -> Any:
        return None

    async def adopt(self, call_id: str, call: dict[str, Any]) -> bool:
        self.adopted.append(call_id)
        return True

    def adopting(self) -> bool:
        return True

    async def lost(self, call_id: str) -> None:
        self.let_go.append(call_id)


async def test_a_busy_replica_keeps_its_calls_when_redis_is_a_millisecond_away(
    redis_url: str,
) -> None:
    prefix = f"many-{uuid.uuid4().hex[:8]}"
    link = Relay(redis_url)
    async with link.serving() as a_url:
        a = RedisRegistry(a_url, replica="a", prefix=prefix, lease_s=LEASE_S)
        b = RedisRegistry(redis_url, replica="b", prefix=prefix, lease_s=LEASE_S)
        host_a, host_b = Host(), Host()
        listing = {"source": "sip", "sip_headers": {"From": "<sip:+15550100@example.com>"}}
        rounds = 0
        keep = a._keep

        async def counted(*args: Any) -> None:  # replica A's renewal rounds, counted
            nonlocal rounds
            await keep(*args)
            rounds += 1

        a._keep = counted  # type: ignore[method-assign]
        async with anyio.create_task_group() as tg:
            await tg.start(a.run, host_a)
            for i in range(CALLS):  # A answers its calls (claim, then list), as CallServer does
                call_id = f"rtc_{prefix}_{i}"
                assert await a.claim(call_id)
                await a.accepted(call_id, listing)
            await tg.start(b.run, host_b)
            link.delay = 0.001  # Redis is a millisecond away from A
            start = rounds
            with anyio.fail_after(60):
                while rounds < start + 3:
                    await anyio.sleep(0.1)
            tg.cancel_scope.cancel()
    assert (len(host_b.adopted), len(host_a.let_go)) == (0, 0), (
        f"replica b adopted {len(host_b.adopted)} of the {CALLS} calls replica a was running "
        f"(a then let {len(host_a.let_go)} go): their leases ({LEASE_S:g} s) ran out between "
        "two of a's renewals"
    )
