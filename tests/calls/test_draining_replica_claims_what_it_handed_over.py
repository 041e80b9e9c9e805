"""A draining replica goes on looking for orphaned calls (``RedisRegistry._adopt``) and
claims each one it finds for itself (the ``ADOPT`` script sets the claim), only to give it
back once ``CallHost.adopt`` says no (draining). That includes the call it has just handed
over. Should the process exit while that claim is out (it does, right after ``drain()``
returns: the shutdown cancels the registry), the claim stays in Redis, held by a replica
that is gone, for a whole lease: no replica can adopt the call until it runs out.

docs/deployment.md: "A replica that is draining adopts nothing", and of a drain: "the
replica gives its claim back and keeps it listed, and another replica adopts it at its next
renewal (within ``lease_s / 3``) ... If every replica is draining, the first one to start
adopts it". Here the replica that starts after the drain adopts the call only once the
exited replica's stray claim has run out: a lease later, not a third of one.

Redis is slowed for the draining replica (its replies take 1 s, as a busy or distant Redis
may), which widens the window of the claim to make the run deterministic; with a fast Redis
the window is the round trip of the script and the give-back, every ``lease_s / 3``."""

from __future__ import annotations

import uuid
from typing import Any

import anyio
import pytest
import redis.asyncio

from rtagents.calls import CallServer
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import serve_asgi
from tests.calls.harness import SECRET, Relay, redis_replica

pytestmark = pytest.mark.anyio
LEASE_S = 6.0


async def until(condition: Any, timeout: float) -> None:
    with anyio.fail_after(timeout):
        while not await condition():
            await anyio.sleep(0.01)


async def test_a_call_handed_over_is_adopted_within_a_third_of_the_lease(
    redis_url: str,
) -> None:
    prefix = f"review-{uuid.uuid4().hex[:8]}"
    key = f"{prefix}:call:"
    relay = Relay(redis_url)

    def replica(name: str, url: str, emu: Emulator) -> CallServer:
        return redis_replica(emu, url, name, prefix, LEASE_S)

    client = redis.asyncio.from_url(redis_url, decode_responses=True)
    try:
        async with Emulator(model=ScriptedModel([], then="Hello.")) as emu, relay.serving() as via:
            a = replica("a", via, emu)
            async with serve_asgi(a) as url_a:
                call_id = emu.place_call(f"{url_a}/openai/webhook", SECRET)
                key += call_id

                async def up() -> bool:
                    return call_id in a.calls and a.calls[call_id].session is not None

                await until(up, 10)
                relay.delay = 1.0  # Redis slow to answer replica a from now on
                with anyio.fail_after(15):
                    await a.drain(grace=0)  # the call is handed over: claim given back
                assert a.calls[call_id].state == "moved"
                assert await client.hexists(f"{prefix}:live", call_id)

                async def claimed_by_a() -> bool:
                    return await client.get(key) == "a"

                # The draining replica's looks for orphans (a round each third of the lease)
                # never claim the call it let go.
                with anyio.move_on_after(LEASE_S):
                    while not await claimed_by_a():
                        await anyio.sleep(0.01)
                    pytest.fail("the draining replica claimed the call it had handed over")
            # Replica a has exited. Replica b starts: it should adopt the call at its next
            # renewal, within a third of the lease.
            b = replica("b", redis_url, emu)
            async with serve_asgi(b):
                started = anyio.current_time()
                stray = await client.get(key)
                with anyio.move_on_after(LEASE_S * 2):
                    while not (call_id in b.calls and b.calls[call_id].session is not None):
                        await anyio.sleep(0.02)
                took = anyio.current_time() - started
    finally:
        await client.aclose()
    assert took <= LEASE_S / 3 + 1.0, (
        f"replica b adopted the handed-over call {took:.1f} s after it started (lease "
        f"{LEASE_S:g} s): the exited draining replica's claim ({stray!r}) was left in Redis"
    )
