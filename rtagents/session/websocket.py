"""The websockets client connection a session reads and writes through, with a direct path
for what a Realtime session carries: whole text messages, one frame each.

websockets' asyncio connection hands every message through an assembler (for fragmented
messages and streaming), and wraps every send in an async context manager. Measured on the
tool round trip, those two layers cost more than decoding the frames (see
``docs/performance.md``). Here a single-frame text message goes straight from the protocol
into a queue of its own, and a send that cannot block writes straight to the socket.
Everything else (the handshake, TLS, proxies, pings, the closing handshake, flow control on
writes, fragmented or binary messages) stays websockets' own.

websockets documents ``create_connection`` as the place to customise a connection by
subclassing; the methods overridden here (``process_event``, ``connection_lost``) and the
ones called (``send_data``) are its asyncio connection's own. If a websockets release no
longer has them, the session uses the plain connection (``DIRECT_PATH``).
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.frames import Frame, Opcode
from websockets.protocol import State

# Past this many messages waiting to be read, the socket is no longer read (TCP then slows
# the server), as websockets' own assembler does past its ``max_queue``; below the low mark,
# reading resumes.
_HIGH, _LOW = 64, 16


class DirectConnection(ClientConnection):
    """A ``ClientConnection`` whose ``recv_text`` and ``send_text_now`` take the direct
    path; ``recv`` and ``send`` still work as websockets' own."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._texts: deque[bytes] = deque()
        self._waiter: asyncio.Future[None] | None = None
        # Cleared for good by the first message that is not one whole text frame: from then
        # on websockets' assembler has every message, in order, after the ones queued here.
        self._direct = True
        self._paused_reading = False

    # -- in ------------------------------------------------------------------------------

    def process_event(self, event: Any) -> None:
        if self._direct and self.response is not None and isinstance(event, Frame):
            if event.opcode is Opcode.TEXT and event.fin:
                data = event.data
                self._texts.append(data if isinstance(data, bytes) else bytes(data))
                if len(self._texts) >= _HIGH and not self._paused_reading:
                    self._paused_reading = True
                    self.transport.pause_reading()
                self._wake()
                return
            if event.opcode in (Opcode.TEXT, Opcode.BINARY, Opcode.CONT):
                self._direct = False
        super().process_event(event)

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def recv_text(self) -> str | bytes:
        """The next message: a text message as its UTF-8 bytes (JSON parsers take them as
        they are; invalid UTF-8 then fails the parse, not the connection). Raises
        ``ConnectionClosed`` once the messages before the close are read."""
        while True:
            if self._texts:
                text = self._texts.popleft()
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
        self.protocol.send_text(text.encode())
        self.send_data()
        return True


DIRECT_PATH = all(
    callable(getattr(ClientConnection, name, None))
    for name in ("process_event", "connection_lost", "send_data")
)
"""Whether this websockets release has what ``DirectConnection`` builds on."""
