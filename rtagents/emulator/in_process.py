"""A transport to the emulator with no socket: frames cross a pair of memory streams.

``connect(agent, transport=emu.transport())`` runs a session against the emulator's very
connection logic, in the same event loop, without a port, a handshake or a kernel buffer:
what session tests use when the socket is not what they test.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import anyio
from anyio.abc import ObjectReceiveStream, ObjectSendStream
from anyio.streams.memory import MemoryObjectReceiveStream

from ..session.transport import TransportClosed


@dataclass
class _Closing:
    reason: str | None = None
    error: bool = True
    done: anyio.Event = field(default_factory=anyio.Event)


class InProcessTransport:
    """The client's end. The server's end is the emulator's serve loop."""

    def __init__(
        self,
        outbound: ObjectSendStream[str | bytes],
        inbound: MemoryObjectReceiveStream[str | bytes],
        closing: _Closing,
    ) -> None:
        self._outbound = outbound
        self._inbound = inbound
        self._closing = closing

    def send_wont_block(self, frame: str) -> bool:
        return True  # the stream has no bound: a send never waits for the server

    async def send(self, frame: str) -> None:
        if self._closing.reason is not None:
            raise TransportClosed(self._closing.reason, error=self._closing.error)
        try:
            await self._outbound.send(frame)
        except (anyio.ClosedResourceError, anyio.BrokenResourceError):
            raise TransportClosed(self._closing.reason or "the emulator went away") from None

    def buffered(self) -> bool:
        """Whether a frame from the emulator is waiting to be read."""
        used: int = self._inbound.statistics().current_buffer_used
        return used > 0

    async def recv(self) -> str | bytes:
        try:
            return await self._inbound.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError, anyio.BrokenResourceError):
            self._inbound.close()  # (over for good: nothing more comes)
            closing = self._closing
            raise TransportClosed(
                closing.reason or "the emulator closed the connection", error=closing.error
            ) from None

    async def close(self) -> None:
        if self._closing.reason is None:
            self._closing.reason = "this client closed the connection (code 1000)"
            self._closing.error = False
        await self._outbound.aclose()
        # Our end of what the emulator sends too. A reader waiting on it is woken, by this
        # (a newer anyio) or by the emulator's end, which our close ends.
        self._inbound.close()


def memory_pipe() -> tuple[
    InProcessTransport,
    ObjectReceiveStream[str | bytes],
    ObjectSendStream[str | bytes],
    _Closing,
]:
    """The client's transport, and the server's ends: frames in, frames out, the closing."""
    to_server, server_in = anyio.create_memory_object_stream[str | bytes](math.inf)
    server_out, from_server = anyio.create_memory_object_stream[str | bytes](math.inf)
    closing = _Closing()
    return InProcessTransport(to_server, from_server, closing), server_in, server_out, closing
