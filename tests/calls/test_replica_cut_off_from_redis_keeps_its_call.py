"""A replica cut off from Redis (a network partition between it and Redis only: the other
replicas still reach it) keeps running its calls after its claims ran out, while another
replica adopts each of them: every such call has two sidebands, and two replicas running
its tools, for as long as the partition lasts.

The holder cannot renew (its renewals fail or hang), and nothing on its side counts the
lease: it never stops acting on a claim it can no longer be sure of. docs/deployment.md: "A
claim that another replica holds meanwhile is let go: the replica closes its sideband ...
so a call never has two"; "Each call is accepted exactly once"; the registry's own
docstring: "never two sidebands on a call". The replica does let the call go, but only once
Redis answers it again: the partition's whole length later.

A holder whose last successful renewal is older than the lease (by its own monotonic clock)
should treat its claim as lost (``CallHost.lost``) rather than keep the sideband open."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import anyio
import pytest

from rtagents.calls import CallServer
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import serve_asgi
from tests.calls.harness import SECRET, Relay, redis_replica

pytestmark = pytest.mark.anyio
LEASE_S = 1.5


class Partition(Relay):
    """The relay, cut both ways while ``flowing`` is clear (nothing reaches Redis either)."""

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.port)
        await asyncio.gather(
            self._pipe(reader, up_writer, slow=True), self._pipe(up_reader, writer, slow=True)
        )


def open_sidebands(emu: Emulator, call_id: str) -> list[Any]:
    return [c for c in emu.desk.calls[call_id]._sidebands if not c.closed.is_set()]


async def test_a_replica_cut_off_from_redis_lets_its_call_go_once_adopted(redis_url: str) -> None:
    prefix = f"review-{uuid.uuid4().hex[:8]}"
    partition = Partition(redis_url)
    async with Emulator(model=ScriptedModel([], then="Hello.")) as emu, partition.serving() as via:

        def replica(name: str, url: str) -> CallServer:
            return redis_replica(emu, url, name, prefix, LEASE_S)

        a, b = replica("a", via), replica("b", redis_url)
        async with serve_asgi(a) as url_a, serve_asgi(b):
            call_id = emu.place_call(f"{url_a}/openai/webhook", SECRET)
            with anyio.fail_after(10):
                while not (call_id in a.calls and a.calls[call_id].session is not None):
                    await anyio.sleep(0.02)
            partition.flowing.clear()  # replica a is cut off from Redis; b is not
            try:
                with anyio.fail_after(LEASE_S * 4 / 3 + 5):  # b adopts the call
                    while not (call_id in b.calls and b.calls[call_id].session is not None):
                        await anyio.sleep(0.02)
                await anyio.sleep(LEASE_S)  # well past a's lease: a has had time to stop
                sidebands = len(open_sidebands(emu, call_id))
                states = (a.calls[call_id].state, b.calls[call_id].state)
            finally:
                partition.flowing.set()
    assert (sidebands, states) == (1, ("moved", "active")), (
        f"{sidebands} sidebands open on the call; replica a's record {states[0]!r}, "
        f"b's {states[1]!r}: both replicas run the call while a is cut off from Redis"
    )
