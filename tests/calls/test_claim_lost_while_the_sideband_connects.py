"""A replica that loses a call's claim while the call's sideband is still connecting closes
that sideband as it opens (``CallRecord.opened``), so that a call never has two
(docs/deployment.md: "A claim that another replica holds meanwhile is let go"). It ran the
call beside the other replica's: ``Supervision.lost`` had no session yet to close.

Here the sideband's websocket handshake is held by a relay in front of the emulator (a far
API), and the claim is made another replica's in Redis meanwhile (what a replica that
adopted the call leaves there)."""

from __future__ import annotations

import asyncio
import uuid

import anyio
import pytest
import redis.asyncio

import rtagents
from rtagents.calls import CallServer
from rtagents.calls.registry_redis import RedisRegistry
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import serve_asgi
from tests.calls.harness import SECRET, Relay

pytestmark = pytest.mark.anyio
LEASE_S = 1.5


class WebsocketsHeld(Relay):
    """The relay, holding only websocket connections' replies (the REST API answers)."""

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.port)
        first = await reader.read(65536)
        slow = b"upgrade: websocket" in first.lower()
        up_writer.write(first)
        await up_writer.drain()
        await asyncio.gather(
            self._pipe(reader, up_writer, slow=False), self._pipe(up_reader, writer, slow=slow)
        )


async def test_a_claim_lost_as_the_sideband_connects_is_let_go(redis_url: str) -> None:
    prefix = f"review-{uuid.uuid4().hex[:8]}"
    async with Emulator(model=ScriptedModel([], then="Hello.")) as emu:
        relay = WebsocketsHeld(emu.http_url, Relay.API)
        relay.flowing.clear()  # the sideband's handshake waits
        async with relay.serving() as api_url:
            app = CallServer(
                agent=rtagents.Agent(name="desk"),
                webhook_secret=SECRET,
                api_key="sk-x",
                base_url=api_url,
                registry=RedisRegistry(redis_url, replica="a", prefix=prefix, lease_s=LEASE_S),
                drain_timeout=0,
            )
            client = redis.asyncio.Redis.from_url(redis_url, decode_responses=True)
            async with serve_asgi(app) as url:
                call_id = emu.place_call(f"{url}/openai/webhook", SECRET)
                with anyio.fail_after(10):  # accepted and listed; its sideband on its way
                    while not await client.hexists(f"{prefix}:live", call_id):
                        await anyio.sleep(0.02)
                assert app.calls[call_id].session is None
                # Another replica holds the call now (it adopted it).
                await client.set(f"{prefix}:call:{call_id}", "b", px=60_000)
                with anyio.fail_after(LEASE_S + 2):  # a's next renewal: the claim is lost
                    while app.calls[call_id].state != "moved":
                        await anyio.sleep(0.02)
                relay.flowing.set()  # the sideband's handshake completes
                await anyio.sleep(1.5)
                record = app.calls[call_id]
                session_open = record.session is not None and record.session.closed_reason is None
                open_sidebands = [
                    c for c in emu.desk.calls[call_id]._sidebands if not c.closed.is_set()
                ]
                state = record.state
            await client.aclose()
    assert not session_open and not open_sidebands, (
        f"replica a let the call go (record {state!r}) but its sideband opened afterwards and "
        f"runs: {len(open_sidebands)} open sideband(s) on a call another replica holds"
    )
