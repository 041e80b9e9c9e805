"""The websockets client connection a session reads and writes through, with a direct path
for what a Realtime session carries: whole text messages, one frame each.

websockets' asyncio connection parses every frame with generator-based coroutines, hands
every message through an assembler (for fragmented messages and streaming), and wraps every
send in an async context manager. Measured on the tool round trip, those layers cost more
than decoding the frames (see ``docs/performance.md``). Here, once the handshake is done, a
whole text frame is split off the bytes as they arrive and queued as it is, and a send that
cannot block is framed here and written straight to the socket.

Everything else stays websockets' own: the handshake, TLS, proxies, flow control on writes,
pings and pongs (each control frame is handed to it whole, so its parser always sits between
frames), and the closing handshake. The first frame that is not a whole unmasked text frame
within the size limit (a close, a fragment, a binary message, a protocol error) hands every
byte from there on to websockets for good, in order after what was queued here, so that
it answers as it would have: closing, reassembling, or failing the connection with the
right code.

websockets documents ``create_connection`` as the place to customise a connection by
subclassing; the methods overridden here (``data_received``, ``eof_received``,
``connection_lost``) are its asyncio connection's own.
If a websockets release no longer has them, the session uses the plain connection
(``DIRECT_PATH``).
"""

from __future__ import annotations

import asyncio
import secrets
import struct
from collections import deque
from typing import Any, cast

from websockets.asyncio.client import ClientConnection

try:
    from websockets.speedups import apply_mask
except ImportError:  # a websockets build without its C extension
    from websockets.utils import apply_mask
from websockets.protocol import State

# Past this many messages waiting to be read, the socket is no longer read (TCP then slows
# the server), as websockets' own assembler does past its ``max_queue``; below the low mark,
# reading resumes.
_HIGH, _LOW = 64, 16

# The first byte of a frame (RFC 6455, 5.2): FIN and the opcode, no reserved bits (no
# extension is negotiated: compression is off).
_TEXT, _PING, _PONG = 0x81, 0x89, 0x8A
_MASKED = 0x80
_END_OF_HEAD = b"\r\n\r\n"  # a 101 response has no body: its head ends the handshake
_MAX_HEAD = 64 * 1024


class DirectConnection(ClientConnection):
    """A ``ClientConnection`` whose ``recv_text`` and ``send_text_now`` take the direct
    path; ``recv`` and ``send`` still work as websockets' own."""

    # Slots: websockets' connection keeps its state in an instance dict; these eight more
    # would grow it past the keys its instances share, into a table of its own (1.5 KB a
    # connection, measured with tracemalloc).
    __slots__ = (
        "_direct",
        "_head",
        "_max_size",
        "_needed",
        "_partial",
        "_paused_reading",
        "_texts",
        "_waiter",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A list, not a deque (whose first block alone is 600 bytes, kept for the connection's
        # life): it holds a few frames at a time, and is empty, 56 bytes, while idle.
        self._texts: list[bytes] = []
        self._waiter: asyncio.Future[None] | None = None
        self._head: bytearray | None = bytearray()  # the handshake's response, until done
        # Cleared for good by the first frame the direct path does not take: from then on
        # websockets has every byte, and its assembler every message, after those queued here.
        self._direct = True
        self._partial = bytearray()  # the start of a frame, waiting for the rest of it
        self._needed = 0  # ... as many bytes as it takes to make progress
        # A frame is checked against both of websockets' limits, as its own parser does.
        limits = (self.protocol.max_message_size, self.protocol.max_fragment_size)
        self._max_size = min((n for n in limits if n is not None), default=None)
        self._paused_reading = False
        # websockets' futures waiting for the socket to drain: a list does all it asks of
        # its deque (append, remove, iterate), in 56 bytes rather than 760 a connection.
        if type(self.drain_waiters) is deque and not self.drain_waiters:
            self.drain_waiters = cast(Any, _Queue())

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        # websockets' queue of frames for its assembler: unused while the direct path reads
        # (and never long after), so not a deque's 760 bytes either.
        frames: Any = getattr(getattr(self, "recv_messages", None), "frames", None)
        if type(getattr(frames, "queue", None)) is deque and not frames.queue:
            frames.queue = _Queue()

    # -- in ------------------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        if self._head is not None:
            data = self._handshake(data)
        if not self._direct:
            super().data_received(data)
            return
        if self._partial:
            self._partial += data
            if len(self._partial) < self._needed:
                return
            data = bytes(self._partial)
            self._partial.clear()
        self._split(data)

    def _handshake(self, data: bytes) -> bytes:
        """Give websockets the HTTP response, and return the bytes after it (frames)."""
        head = self._head
        assert head is not None
        searched = max(0, len(head) - 3)
        head += data
        found = head.find(_END_OF_HEAD, searched)
        if found < 0:
            super().data_received(data)
            if len(head) > _MAX_HEAD:  # no real response is this long: stop keeping it
                self._head, self._direct = None, False
            return b""
        cut = found + 4 - (len(head) - len(data))
        self._head = None
        super().data_received(data[:cut])
        if self.protocol.state is not State.OPEN:
            self._direct = False  # refused: websockets reads the rest (a body, the end)
        return data[cut:]

    def _split(self, data: bytes) -> None:
        """Queue each whole text frame in ``data``, hand each control frame to websockets,
        and keep an incomplete frame for the next read."""
        pos, size, limit = 0, len(data), self._max_size
        queued = len(self._texts)
        while pos < size:
            head = _head(data, pos)
            if head is None:  # the head itself is cut short
                self._keep(data, pos, size - pos + 1)
                break
            first, start, end = head
            ours = first == _TEXT and (limit is None or end - start <= limit)
            if not ours and not (first in (_PING, _PONG) and end - start <= 125):
                # A close, a fragment, a binary message, an oversized or masked frame:
                # websockets reads from here on, so a reader waiting on the direct path is
                # woken to read through it (else it waits for good: pings are still answered).
                self._direct = False
                super().data_received(data[pos:])
                self._wake()
                break
            if end > size:
                self._keep(data, pos, end - pos)
                break
            if ours:
                self._texts.append(data[start:end])
            else:  # whole, so that websockets' parser is between frames again after it
                super().data_received(data[pos:end])
            pos = end
        if len(self._texts) > queued:  # once per read, however many frames it held
            if len(self._texts) >= _HIGH and not self._paused_reading:
                self._paused_reading = True
                self.transport.pause_reading()
            self._wake()

    def _keep(self, data: bytes, pos: int, needed: int) -> None:
        self._partial += data[pos:]
        self._needed = needed

    def eof_received(self) -> None:
        if self._direct and self._partial:
            self._direct = False  # the connection ended inside a frame: websockets says so
            super().data_received(bytes(self._partial))
        return super().eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def buffered(self) -> bool:
        """Whether ``recv_text`` has a message at hand."""
        return bool(self._texts)

    async def recv_text(self) -> str | bytes:
        """The next message: a text message as its UTF-8 bytes (JSON parsers take them as
        they are; invalid UTF-8 then fails the parse, not the connection). Raises
        ``ConnectionClosed`` once the messages before the close are read."""
        while True:
            if self._texts:
                text = self._texts.pop(0)
                if self._paused_reading and len(self._texts) <= _LOW:
                    self._paused_reading = False
                    self.transport.resume_reading()
                return text
            if not self._direct or self.protocol.state is State.CLOSED:
                return await self.recv(decode=False)
            self._waiter = self.loop.create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None

    # -- out -----------------------------------------------------------------------------

    def send_text_now(self, text: str) -> bool:
        """Send ``text`` at once when that cannot block: the connection is open and the
        socket's buffer is below its high-water mark. False: use ``send``, which waits."""
        if self.protocol.state is not State.OPEN or self.paused or self.transport.is_closing():
            return False
        self.transport.write(_client_text_frame(text.encode()))
        return True


class _Queue(list[Any]):
    """A deque's ``append``, ``popleft``, ``extend``, ``remove``, ``len`` and iteration, for
    websockets' short queues: a list, with no 600-byte block kept while empty."""

    __slots__ = ()

    def popleft(self) -> Any:
        return self.pop(0)


def _head(data: bytes, pos: int) -> tuple[int, int, int] | None:
    """The frame at ``pos``: its first byte (-1 when masked, which a server never does), and
    where its payload starts and ends; ``None`` when its head is not all there yet."""
    size = len(data)
    if size - pos < 2:
        return None
    first, length = data[pos], data[pos + 1]
    if length & _MASKED:
        first, length = -1, length & ~_MASKED
    start = pos + 2
    if length == 126:
        start += 2
    elif length == 127:
        start += 8
    if start > size:
        return None
    if start - pos > 2:
        length = int.from_bytes(data[pos + 2 : start], "big")
    return first, start, start + length


def _client_text_frame(payload: bytes) -> bytes:
    """One whole text frame as a client sends it: masked with a fresh random key (RFC 6455,
    5.3), as websockets' own ``Frame.serialize`` does, without its general machinery."""
    size = len(payload)
    if size < 126:
        head = bytes((_TEXT, _MASKED | size))
    elif size < 1 << 16:
        head = struct.pack("!BBH", _TEXT, _MASKED | 126, size)
    else:
        head = struct.pack("!BBQ", _TEXT, _MASKED | 127, size)
    key = secrets.token_bytes(4)
    return head + key + apply_mask(payload, key)


DIRECT_PATH = all(
    callable(getattr(ClientConnection, name, None))
    for name in ("connection_made", "data_received", "eof_received", "connection_lost")
)
"""Whether this websockets release has what ``DirectConnection`` builds on."""
