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

    async def counted_send(self: DirectConnection, message: Any, **options: Any) -> None:
        nonlocal waited
        waited += 1
        await plain_send(self, message, **options)

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


async def test_direct_sends_of_every_length_reach_a_websockets_server_intact() -> None:
    """A direct send frames and masks the message itself: websockets' server checks both."""
    messages = ["a", "é" * 200, "x" * 70_000, ""]  # 7, 16 and 64-bit lengths, and none
    received: list[str] = []

    async def script(ws: ServerConnection) -> None:
        for _ in messages:
            received.append(str(await ws.recv()))
        await ws.send("done")

    async with server(script) as t:
        ws = t._ws
        assert isinstance(ws, DirectConnection)
        for message in messages:
            assert ws.send_text_now(message)
        assert await recv(t, 1) == [b"done"]
    assert received == messages


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


# -- frames as they come off the socket: a server of raw bytes ----------------------------------
# What websockets' own server never sends (a frame split anywhere, the handshake's response and
# the first frames in one write, a masked or oversized frame, an end inside a frame) is written
# here byte for byte, so that the direct path's splitting of frames meets every case.

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def _frame(payload: bytes, first: int = 0x81, *, mask: bool = False) -> bytes:
    size = len(payload)
    if size < 126:
        head = bytes([first, size])
    elif size < 2**16:
        head = bytes([first, 126]) + size.to_bytes(2, "big")
    else:
        head = bytes([first, 127]) + size.to_bytes(8, "big")
    if not mask:
        return head + payload
    key = b"\x01\x02\x03\x04"
    body = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
    return bytes([head[0], head[1] | 0x80]) + head[2:] + key + body


async def _read_client_frame(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """One frame from the client (always masked): its opcode and payload."""
    first, second = await reader.readexactly(2)
    size = second & 0x7F
    if size == 126:
        size = int.from_bytes(await reader.readexactly(2), "big")
    elif size == 127:
        size = int.from_bytes(await reader.readexactly(8), "big")
    key = await reader.readexactly(4)
    body = await reader.readexactly(size)
    return first & 0x0F, bytes(b ^ key[i % 4] for i, b in enumerate(body))


RawScript = Callable[[asyncio.StreamReader, asyncio.StreamWriter, bytes], Awaitable[None]]


@asynccontextmanager
async def raw_server(script: RawScript, **options: Any) -> AsyncIterator[WebsocketTransport]:
    """A server that answers the handshake and then runs ``script`` with the response's
    bytes (unsent: the script writes them, alone or with frames after them)."""
    import base64
    import hashlib

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await reader.readuntil(b"\r\n\r\n")
        key = next(
            line.split(b":", 1)[1].strip()
            for line in request.split(b"\r\n")
            if line.lower().startswith(b"sec-websocket-key:")
        )
        accept = base64.b64encode(hashlib.sha1(key + _GUID).digest())
        response = (
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n"
        )
        try:
            await script(reader, writer, response)
        finally:
            writer.close()

    srv = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    try:
        transport = await WebsocketTransport.open(f"ws://127.0.0.1:{port}/", {}, **options)
        try:
            yield transport
        finally:
            await transport.close()
    finally:
        srv.close()


async def _write_in_pieces(writer: asyncio.StreamWriter, data: bytes, sizes: list[int]) -> None:
    """``data`` in separate writes, a pause between them so that each is a read of its own."""
    pos, n = 0, 0
    while pos < len(data):
        size = sizes[n % len(sizes)]
        writer.write(data[pos : pos + size])
        await writer.drain()
        await asyncio.sleep(0.002)
        pos, n = pos + size, n + 1


@pytest.mark.parametrize("sizes", [[4096], [2, 3, 5, 7, 1000], [10_000], [1 << 20]])
async def test_frames_split_anywhere_come_whole_in_order_and_pings_are_answered(
    sizes: list[int],
) -> None:
    """Every way the bytes can be cut: inside the handshake's response, right after it, inside
    a frame's head and its extended length, inside the payload; and all in one write."""
    small, medium, large = b'{"n":1}', b"m" * 300, b"L" * 70_000  # 7, 16 and 64-bit lengths
    pong: list[tuple[int, bytes]] = []

    async def script(reader: Any, writer: Any, response: bytes) -> None:
        stream = response + b"".join(
            [
                _frame(small),
                _frame(medium),
                _frame(b"hello", 0x89),  # a ping, between two messages
                _frame(large),
                _frame(b""),
                _frame("é".encode()),
            ]
        )
        # A byte at a time up to the large message's head (the whole of it would take
        # minutes), then cut by the pattern given.
        fine = len(response) + 350
        await _write_in_pieces(writer, stream[:fine], [1])
        await _write_in_pieces(writer, stream[fine:], sizes)
        pong.append(await _read_client_frame(reader))
        await asyncio.sleep(0.3)

    async with raw_server(script) as t:
        got = await recv(t, 5)
        ws = t._ws
        assert isinstance(ws, DirectConnection) and ws._direct  # all on the direct path
    assert got == [small, medium, large, b"", "é".encode()]
    assert pong == [(0x0A, b"hello")]


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        (_frame(b"masked", mask=True), 1002),  # a server never masks its frames
        (_frame(b"x" * 2000), 1009),  # over the size limit given below
        (_frame(b"rsv", 0xC1), 1002),  # a reserved bit, with no extension to mean it
        (_frame(b"x" * 200, 0x89), 1002),  # a control frame longer than 125 bytes
        (_frame(b"part", 0x01) + _frame(b"ial", 0x80), None),  # fragmented: reassembled
    ],
)
async def test_what_the_direct_path_does_not_take_websockets_answers_after_the_messages_before(
    bad: bytes, code: int | None
) -> None:
    closing: list[tuple[int, bytes]] = []

    async def script(reader: Any, writer: Any, response: bytes) -> None:
        writer.write(response + _frame(b"before") + bad + _frame(b"after"))
        await writer.drain()
        if code is not None:
            closing.append(await _read_client_frame(reader))
        else:
            await asyncio.sleep(0.3)

    async with raw_server(script, max_message_size=1000) as t:
        first = await recv(t, 1)
        if code is None:
            assert await recv(t, 2) == [b"partial", b"after"]
        else:
            with pytest.raises(TransportClosed) as closed:
                await recv(t, 1)
            assert closed.value.error and f"code {code}" in closed.value.reason
    assert first == [b"before"]
    if code is not None:
        opcode, payload = closing[0]
        assert (opcode, int.from_bytes(payload[:2], "big")) == (0x08, code)


async def test_a_close_in_the_same_read_as_messages_comes_after_them() -> None:
    async def script(reader: Any, writer: Any, response: bytes) -> None:
        close = _frame((1000).to_bytes(2, "big") + b"bye", 0x88)
        writer.write(response + _frame(b"a") + _frame(b"b") + close + _frame(b"ignored"))
        await writer.drain()
        await _read_client_frame(reader)  # the client's answer to the close

    async with raw_server(script) as t:
        got = await recv(t, 2)
        with pytest.raises(TransportClosed) as closed:
            await recv(t, 1)
    assert got == [b"a", b"b"]
    assert not closed.value.error and "bye" in closed.value.reason


async def test_a_connection_that_ends_inside_a_frame_closes_as_an_error() -> None:
    async def script(reader: Any, writer: Any, response: bytes) -> None:
        writer.write(response + _frame(b"whole") + _frame(b"cut short")[:6])
        await writer.drain()
        await asyncio.sleep(0.1)
        writer.write_eof()
        await asyncio.sleep(0.5)

    async with raw_server(script) as t:
        got = await recv(t, 1)
        with pytest.raises(TransportClosed) as closed:
            await recv(t, 1)
    assert got == [b"whole"]
    assert closed.value.error


async def test_a_response_head_that_never_ends_is_not_kept_past_its_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Header lines each within websockets' limits, 800 KB of them, then the end of the
    connection: the connect fails cleanly, and the direct path stopped keeping its copy of
    the head at 64 KiB (without the bound it would hold all 800 KB)."""
    from rtagents.errors import ConnectError

    made: list[DirectConnection] = []

    class Recorded(DirectConnection):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(transport_module, "DirectConnection", Recorded)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 101 Switching Protocols\r\n")
        for n in range(100):
            writer.write(f"X-Junk-{n}: ".encode() + b"j" * 8000 + b"\r\n")
        await writer.drain()
        writer.close()

    srv = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    try:
        with pytest.raises(ConnectError):
            await asyncio.wait_for(WebsocketTransport.open(f"ws://127.0.0.1:{port}/", {}), 10)
    finally:
        srv.close()
    [conn] = made
    assert conn._head is None and not conn._direct
