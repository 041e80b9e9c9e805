"""A replica cut off from Redis lets its call go *before* its lease runs out (docs/
deployment.md: "It lets each call go before its lease runs out ... never two sidebands on a
call, each running its tools"): the renewals keep their beat whatever else the registry
waits on, and a claim is let go once the next round's renewal of it could come too late.
Before, a round waited on the adoption's script after its renewals, which a partition stalls
for a whole period too, and the claim was let go up to a period after its lease ran out:
meanwhile another replica had adopted the call, and both ran it."""

from __future__ import annotations

import uuid

import anyio
import pytest
import redis.asyncio

from rtagents.calls import CallServer
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import serve_asgi
from tests.calls.harness import SECRET, redis_replica
from tests.calls.test_replica_cut_off_from_redis_keeps_its_call import Partition, open_sidebands

pytestmark = pytest.mark.anyio
LEASE_S = 1.5


async def test_a_cut_off_replica_lets_go_before_another_adopts(redis_url: str) -> None:
    prefix = f"rev-{uuid.uuid4().hex[:8]}"
    partition = Partition(redis_url)
    async with Emulator(model=ScriptedModel([], then="Hello.")) as emu, partition.serving() as via:

        def replica(name: str, url: str) -> CallServer:
            return redis_replica(emu, url, name, prefix, LEASE_S)

        a, b = replica("a", via), replica("b", redis_url)
        async with serve_asgi(a) as url_a:
            await anyio.sleep(LEASE_S / 6)  # b's rounds come half a period after a's
            async with serve_asgi(b):
                call_id = emu.place_call(f"{url_a}/openai/webhook", SECRET)
                with anyio.fail_after(10):
                    while not (call_id in a.calls and a.calls[call_id].session is not None):
                        await anyio.sleep(0.02)
                # Cut a off from Redis right after one of its renewals made its claim good.
                client = redis.asyncio.from_url(redis_url, decode_responses=True)
                key, before = f"{prefix}:call:{call_id}", LEASE_S * 1000
                with anyio.fail_after(5):
                    while (ttl := await client.pttl(key)) <= before:
                        before = ttl
                        await anyio.sleep(0.005)
                await client.aclose()
                partition.flowing.clear()  # replica a is cut off from Redis; b is not
                most, both = 0, 0.0
                try:
                    with anyio.move_on_after(LEASE_S * 3):
                        while True:
                            open_now = len(open_sidebands(emu, call_id))
                            most = max(most, open_now)
                            if open_now > 1:
                                both += 0.01
                            await anyio.sleep(0.01)
                finally:
                    partition.flowing.set()
                adopted = call_id in b.calls and b.calls[call_id].state == "active"
    assert adopted, "b never adopted the call"
    assert most == 1, (
        f"{most} sidebands open on the call at once, for about {both:.2f} s: replica a let its "
        "call go after its lease ran out, once b had adopted it"
    )
