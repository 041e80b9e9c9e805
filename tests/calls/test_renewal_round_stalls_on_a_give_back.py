"""A renewal round that finds a claim handed over while it was on its way gives it back
without waiting on it (and a give back is bounded): Redis stalling right then holds neither
that round nor any later one, and the replica's other claims are still let go within their
leases. Before, the round awaited the give back with no bound: the renewals stalled for
ever, the other claims' leases ran out, another replica adopted their calls, and this one
still ran them. A stand-in for Redis's client: a stall at that very moment, between one
answer and the next request, is not a real server's to give."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from rtagents.calls.registry_redis import RedisRegistry

pytestmark = pytest.mark.anyio
LEASE_S = 0.6


class Client:
    def __init__(self, registry: RedisRegistry) -> None:
        self.registry = registry
        self.renewed_at: list[float] = []

    async def eval(self, script: str, *args: Any) -> Any:
        if "kept" in script and not self.renewed_at:  # KEEP, the first round
            self.renewed_at.append(anyio.current_time())
            # A drain hands c1 over while this round is on its way (hand_over's own give
            # back is answered: Redis stalls just after).
            self.registry._owned.pop("c1")
            self.registry._handed_over.add("c1")
            return [1, 1]
        await anyio.sleep(100)  # a partition: nothing answers


class Host:
    def __init__(self) -> None:
        self.lost_at: dict[str, float] = {}

    async def lost(self, call_id: str) -> None:
        self.lost_at[call_id] = anyio.current_time()

    def adopting(self) -> bool:
        return False


async def test_other_claims_are_let_go_while_a_give_back_stalls() -> None:
    registry = RedisRegistry("redis://localhost:1/0", replica="a", lease_s=LEASE_S)
    client, host = Client(registry), Host()
    lost = host.lost_at
    registry._client = client
    registry._host = host  # type: ignore[assignment]
    now = anyio.current_time()
    for call_id in ("c1", "c2"):
        registry._owned[call_id] = f'{{"id": "{call_id}"}}'
        registry._renewed[call_id] = now
    async with anyio.create_task_group() as tg:
        registry._tg = tg
        tg.start_soon(registry._renew)
        with anyio.move_on_after(LEASE_S * 3):
            while "c2" not in lost:
                await anyio.sleep(0.005)
        tg.cancel_scope.cancel()
    assert "c2" in lost, (
        "c2 was never let go: the renewals stalled on c1's give back, while c2's lease "
        f"ran out {LEASE_S * 2:g} s ago"
    )
    assert lost["c2"] < client.renewed_at[0] + LEASE_S
