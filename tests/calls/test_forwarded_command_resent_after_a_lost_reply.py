"""A command forwarded to the call's owner is carried out twice when the connection to
Redis drops after Redis took the ``PUBLISH`` and before its reply came back (a Redis restart,
a failover, a network blip): ``RedisRegistry``'s client retries a command on a connection
error (``retry_on_error=[ConnectionError, TimeoutError]``), so the ``PUBLISH`` goes out again,
with the same request id, and the owner runs each copy.

docs/deployment.md: "Commands reach the owner ... the command is published on the owning
replica's channel and the caller waits on a reply list". One ``app.say`` (a supervisor
stepping in) must add one message to the call, and one ``app.transfer`` one REFER; here the
caller hears the supervisor's line twice (and the model answers it twice)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator

import anyio
import pytest

import rtagents
from rtagents.calls import CallServer
from rtagents.calls.registry_redis import RedisRegistry
from rtagents.emulator import Emulator, ModelContext, Say
from rtagents.testing import serve_asgi

pytestmark = pytest.mark.anyio
SECRET = "whsec_" + "c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cw=="
LINE = "Supervisor here: the refund is approved."


class Counting:
    """The emulator's model: it says how many times the conversation holds the line."""

    def __init__(self) -> None:
        self.seen: list[int] = []

    def respond(self, ctx: ModelContext) -> list[Say]:
        n = sum(
            1
            for item in ctx.items
            if item.get("role") == "user"
            and any(part.get("text") == LINE for part in item.get("content") or [])
        )
        self.seen.append(n)
        return [Say(f"Heard it {n} time(s).")]


class DropAfterPublish:
    """A TCP relay in front of Redis that, once, lets a ``PUBLISH`` reach Redis and then
    closes the client's connection before Redis's reply is passed on (the reply is lost)."""

    def __init__(self, redis_url: str) -> None:
        self.port = int(redis_url.rsplit(":", 1)[1].split("/")[0])
        self.dropped = False

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.port)
        cut = asyncio.Event()  # this connection carried the PUBLISH: nothing more comes back

        async def to_redis() -> None:
            with contextlib.suppress(Exception):
                while data := await reader.read(65536):
                    publish = b"PUBLISH" in data.upper() and not self.dropped
                    if publish:
                        self.dropped = True
                        cut.set()
                    up_writer.write(data)
                    await up_writer.drain()
                    if publish:
                        await asyncio.sleep(0.1)  # Redis has run it by now
                        break
            up_writer.close()
            writer.close()

        async def to_client() -> None:
            with contextlib.suppress(Exception):
                while data := await up_reader.read(65536):
                    if cut.is_set():
                        break  # the PUBLISH's reply is lost with the connection
                    writer.write(data)
                    await writer.drain()
            writer.close()

        await asyncio.gather(to_redis(), to_client())

    @contextlib.asynccontextmanager
    async def serving(self) -> AsyncIterator[str]:
        server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        try:
            yield f"redis://127.0.0.1:{server.sockets[0].getsockname()[1]}/0"
        finally:
            server.close()


async def test_a_forwarded_say_is_said_once_when_its_publish_reply_is_lost(
    redis_url: str,
) -> None:
    prefix = f"review-{uuid.uuid4().hex[:8]}"
    relay = DropAfterPublish(redis_url)
    model = Counting()
    async with Emulator(model=model) as emu, relay.serving() as via:

        def replica(name: str, url: str) -> CallServer:
            return CallServer(
                agent=rtagents.Agent(name="desk"),
                webhook_secret=SECRET,
                api_key="sk-x",
                base_url=emu.http_url,
                registry=RedisRegistry(url, replica=name, prefix=prefix),
                drain_timeout=0,
            )

        a, b = replica("a", redis_url), replica("b", via)
        async with serve_asgi(a) as url_a, serve_asgi(b):
            call_id = emu.place_call(f"{url_a}/openai/webhook", SECRET)
            with anyio.fail_after(10):
                while not (call_id in a.calls and a.calls[call_id].session is not None):
                    await anyio.sleep(0.02)
            with anyio.fail_after(15):
                await b.say(call_id, LINE)  # sent to b, carried out by a
            assert relay.dropped, "the relay never saw the PUBLISH"
            await anyio.sleep(1.5)  # a second copy, if any, has been carried out by now
    # One say: one user message, one answer that heard it once.
    assert model.seen == [1], f"one app.say; the model's answers heard it {model.seen} time(s)"
