"""The session's websocket connection (``session/websocket.py``) against a real websockets
server on loopback: what takes the direct path and what falls back to websockets' own must
come out in order, a slow reader must stop the socket being read, and a close comes after
every message sent before it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve

from rtagents.session import transport as transport_module
from rtagents.session.transport import TransportClosed, WebsocketTransport
from rtagents.session.websocket import _HIGH, DirectConnection

pytestmark = pytest.mark.anyio
Script = Callable[[ServerConnection], Awaitable[None]]


@asynccontextmanager
async def server(script: Script) -> AsyncIterator[WebsocketTransport]:
    async def handler(ws: ServerConnection) -> None:
        await script(ws)
        await ws.wait_closed()

    async with serve(handler, "127.0.0.1", 0) as srv:
        port = srv.sockets[0].getsockname()[1]
        transport = await WebsocketTransport.open(f"ws://127.0.0.1:{port}/", {})
        try:
            yield transport
        finally:
            await transport.close()


async def recv(t: WebsocketTransport, n: int) -> list[str | bytes]:
    """``n`` messages, or a failure (never a hang) when they do not come."""
    return [await asyncio.wait_for(t.recv(), 5) for _ in range(n)]


async def test_messages_come_in_order_whichever_path_they_take() -> None:
    async def script(ws: ServerConnection) -> None:
        await ws.send("a")
        await ws.send("b")
        await ws.send(["c1", "c2"])  # fragmented: websockets' assembler from here on
        await ws.send("d")
        await ws.send(b"e")

    async with server(script) as t:
        assert isinstance(t._ws, DirectConnection)
        got = await recv(t, 5)
    assert got == [b"a", b"b", b"c1c2", b"d", b"e"]


async def test_a_reader_that_falls_behind_stops_reading_the_socket_until_it_catches_up() -> None:
    count = 500

    pad = "x" * 10_000  # about 25 messages to a read of the socket

    async def script(ws: ServerConnection) -> None:
        for n in range(count):
            await ws.send(f'{{"n": {n}, "pad": "{pad}"}}')

    async with server(script) as t:
        ws = t._ws
        assert isinstance(ws, DirectConnection)
        for _ in range(200):  # until the queue reaches its high-water mark
            if len(ws._texts) >= _HIGH:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)
        assert not ws.transport.is_reading()
        # Bounded (the high-water mark, plus the rest of the read that crossed it): the rest
        # waits in the kernel's buffers and the server's.
        assert len(ws._texts) < _HIGH + 50
        got = await recv(t, count)
        assert ws.transport.is_reading()
    assert got == [f'{{"n": {n}, "pad": "{pad}"}}'.encode() for n in range(count)]


@pytest.mark.parametrize("reader", ["behind", "waiting"])
async def test_a_close_comes_after_every_message_sent_before_it(reader: str) -> None:
    """Read after the close has arrived, or already waiting when it comes."""

    async def script(ws: ServerConnection) -> None:
        for n in range(3):
            await ws.send(str(n))
        await asyncio.sleep(0.1)
        await ws.close(1000, "bye")

    async with server(script) as t:
        if reader == "behind":
            await asyncio.sleep(0.3)
        got = await recv(t, 3)
        with pytest.raises(TransportClosed) as closed:
            await recv(t, 1)
    assert got == [b"0", b"1", b"2"]
    assert not closed.value.error and "bye" in closed.value.reason


async def test_sends_arrive_in_order_when_the_server_is_slow_to_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two tasks send at once while the server is slow to read: the socket's buffer fills,
    so sends go both ways (direct, and websockets' own, which waits). None is lost, and
    each task's messages keep their order."""
    received: list[str] = []
    done = asyncio.Event()
    waited = 0
    plain_send = DirectConnection.send

    async def counted_send(self: DirectConnection, message: Any, text: Any = None) -> None:
        nonlocal waited
        waited += 1
        await plain_send(self, message, text)

    monkeypatch.setattr(DirectConnection, "send", counted_send)

    async def script(ws: ServerConnection) -> None:
        await asyncio.sleep(0.3)
        async for message in ws:
            received.append(str(message))
            if len(received) == 400:
                done.set()

    async def sender(t: WebsocketTransport, first: int) -> None:
        for n in range(first, 400, 2):
            await t.send(f"{n}:{'x' * 20_000}")

    async with server(script) as t:
        await asyncio.gather(sender(t, 0), sender(t, 1))
        await asyncio.wait_for(done.wait(), 10)
    assert 0 < waited < 400  # both paths were taken
    numbers = [int(m.split(":")[0]) for m in received]
    assert [n for n in numbers if n % 2 == 0] == list(range(0, 400, 2))
    assert [n for n in numbers if n % 2 == 1] == list(range(1, 400, 2))


async def test_without_the_direct_path_the_plain_connection_is_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(transport_module, "DIRECT_PATH", False)

    async def script(ws: ServerConnection) -> None:
        await ws.send("a")
        assert await ws.recv() == "b"
        await ws.send("c")

    async with server(script) as t:
        assert not isinstance(t._ws, DirectConnection)
        first = await t.recv()
        await t.send("b")
        assert (first, await t.recv()) == ("a", "c")
