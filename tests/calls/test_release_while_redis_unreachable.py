"""A call ends (the app hangs it up) while its replica cannot reach Redis for a moment (a
network blip: connections reset, Redis itself keeps its data). ``RedisRegistry.release``
swallows the failure and forgets the call, so nothing ever tries again: the call stays
listed in ``{prefix}:live`` with a claim that is no longer renewed. Once that claim runs out,
a replica "adopts" the ended call as if its replica had died: it attaches a sideband to a
call that is over, fails it, and sends it a hang-up; the call's record in ``app.calls`` (on
the replica that adopts it) says ``failed`` instead of how the call really ended.

Real parts: two CallServers under uvicorn, the emulator's SIP side, a real redis-server,
and a TCP relay between replica A and Redis that can be cut and restored."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator

import anyio
import pytest
import redis.asyncio

import rtagents
from rtagents.calls import CallServer, current_call
from rtagents.calls.registry_redis import RedisRegistry
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.testing import serve_asgi
from tests.calls.harness import SECRET

pytestmark = pytest.mark.anyio


class CuttableLink:
    """A TCP relay to Redis: ``cut()`` resets every connection through it and refuses new
    ones (they are closed at once) until ``restore()``."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.up = True
        self._writers: set[asyncio.StreamWriter] = set()

    def cut(self) -> None:
        self.up = False
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    def restore(self) -> None:
        self.up = True

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.transport.abort()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self.up:
            writer.transport.abort()
            return
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.port)
        self._writers.update((writer, up_writer))
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    @contextlib.asynccontextmanager
    async def serving(self) -> AsyncIterator[str]:
        server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            self.cut()
            server.close()


async def test_a_call_ended_while_redis_was_unreachable_is_not_adopted_later(
    redis_url: str,
) -> None:
    prefix = f"rel-{uuid.uuid4().hex[:8]}"
    link = CuttableLink(int(redis_url.rsplit(":", 1)[1].split("/")[0]))

    @rtagents.tool
    async def goodbye() -> str:
        """Say goodbye and hang up."""
        link.cut()  # replica A's network to Redis blips just as the call ends
        await current_call().hangup()
        return "bye"

    model = ScriptedModel([CallFunction("goodbye"), "Bye."])
    agent = rtagents.Agent(name="desk", tools=[goodbye])
    async with Emulator(model=model) as emu, link.serving() as a_url:
        apps = [
            CallServer(
                agent=agent,
                webhook_secret=SECRET,
                api_key="sk-x",
                base_url=emu.http_url,
                registry=RedisRegistry(url, replica=name, prefix=prefix, lease_s=6),
                drain_timeout=0,
            )
            for name, url in (("a", a_url), ("b", redis_url))
        ]
        client = redis.asyncio.from_url(redis_url, decode_responses=True)
        async with serve_asgi(apps[0]) as url_a, serve_asgi(apps[1]):
            call_id = emu.place_call(f"{url_a}/openai/webhook", SECRET, say=["Bye!"])
            with anyio.fail_after(15):
                while emu.desk.calls[call_id].status != "ended":
                    await anyio.sleep(0.02)
                record = apps[0].calls[call_id]
                while record.state == "active" or apps[0]._lifecycle._releasing:
                    await anyio.sleep(0.02)  # the call is over and its release was tried
            ended_as = (record.state, record.reason)
            assert ended_as[0] == "ended", ended_as
            link.restore()  # Redis is reachable again, a moment later

            # The call ended: sooner or later it is unlisted. Wait for that (bounded).
            with anyio.fail_after(30):
                while await client.hexists(f"{prefix}:live", call_id):
                    await anyio.sleep(0.05)
            states = {
                app.registry.replica: (app.calls[call_id].state, app.calls[call_id].reason)  # type: ignore[attr-defined]
                for app in apps
                if call_id in app.calls
            }
            sidebands = len(emu.desk.calls[call_id]._sidebands)
        await client.aclose()
    assert states == {"a": ended_as}, (
        f"the ended call was taken over as if its replica had died: {states}"
    )
    assert sidebands == 1
