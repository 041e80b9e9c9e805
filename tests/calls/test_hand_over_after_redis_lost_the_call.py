"""A drain hands a call over while Redis has lost the call's claim and listing (it restarted
empty, or failed over to a replica that had not caught up), before this replica's next
renewal put them back: the call is listed again, and another replica adopts it
(docs/deployment.md: "another replica adopts it at its next renewal"). Before, ``GIVE_BACK``
refused a claim that was not this replica's, and took one Redis lost for another's: the
draining replica closed its sideband, the call was listed nowhere, no replica ever adopted
it, and the caller's call stayed up without its tools."""

from __future__ import annotations

import uuid

import anyio
import pytest
import redis.asyncio

from rtagents.calls import CallServer
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import serve_asgi
from tests.calls.harness import SECRET, redis_replica

pytestmark = pytest.mark.anyio
LEASE_S = 3.0


async def test_a_call_handed_over_after_redis_lost_it_is_adopted(redis_url: str) -> None:
    prefix = f"rev-{uuid.uuid4().hex[:8]}"
    async with Emulator(model=ScriptedModel([], then="Hello.")) as emu:

        def replica(name: str) -> CallServer:
            return redis_replica(emu, redis_url, name, prefix, LEASE_S)

        a, b = replica("a"), replica("b")
        client = redis.asyncio.from_url(redis_url, decode_responses=True)
        try:
            async with serve_asgi(a) as url_a, serve_asgi(b):
                call_id = emu.place_call(f"{url_a}/openai/webhook", SECRET)
                with anyio.fail_after(10):
                    while not (call_id in a.calls and a.calls[call_id].session is not None):
                        await anyio.sleep(0.02)
                key, live = f"{prefix}:call:{call_id}", f"{prefix}:live"
                # Right after one of a's renewals (its next is a third of the lease away) ...
                before = LEASE_S * 1000
                with anyio.fail_after(5):
                    while (ttl := await client.pttl(key)) <= before:
                        before = ttl
                        await anyio.sleep(0.005)
                assert await client.hexists(live, call_id)
                # ... Redis loses the call's keys (restarted empty, or a failover) ...
                await client.delete(key)
                await client.hdel(live, call_id)
                # ... and a drains: the call is handed over.
                await a.drain(grace=0)
                assert a.calls[call_id].state == "moved"
                with anyio.move_on_after(LEASE_S * 4 / 3 + 1):  # b adopts at its next round
                    while not (call_id in b.calls and b.calls[call_id].session is not None):
                        await anyio.sleep(0.05)
                adopted = call_id in b.calls and b.calls[call_id].state == "active"
                listed = await client.hexists(live, call_id)
                claim = await client.get(key)
        finally:
            await client.aclose()
    assert adopted, (
        f"the call a handed over was never adopted (listed: {listed}, claim: {claim!r}): "
        "it is left up with no replica running its tools"
    )
