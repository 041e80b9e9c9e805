"""Rule broken: a session that ends closes its connection (no socket, no task of its own left
running after ``connect`` returns; see ``test_close_while_reconnecting_leaks.py``).

failures.md: "the server stops reading, so sends block | after ``send_timeout``:
``session.closed`` with 'sending timed out'". The session does end so, but its websocket is
not closed: ``upstream._close`` gives ``transport.close()`` two seconds (the closing
handshake, whose close frame is queued behind the megabytes the server never read), then
simply moves on, and ``WebsocketTransport.close`` does not drop the socket when its
handshake is cut short. The TCP connection stays open (state CLOSING), holding its write
buffer (the unsent audio), and websockets' keepalive task keeps running, long after
``connect`` has returned: until the keepalive ping times out (about 20 s later), and for good
with ``ping_interval=None``. Over a real loopback socket.
"""

from __future__ import annotations

import asyncio

import anyio
import pytest
from websockets.asyncio.client import ClientConnection

import rtagents
from rtagents.errors import SessionClosedError

from .hostile import hostile_server

pytestmark = pytest.mark.anyio


def client_connections_alive() -> list[ClientConnection]:
    """The client websockets whose keepalive task still runs (their socket is open)."""
    alive = []
    for task in asyncio.all_tasks():
        coro = task.get_coro()
        frame = getattr(coro, "cr_frame", None)
        owner = frame.f_locals.get("self") if frame is not None else None
        if not task.done() and isinstance(owner, ClientConnection):
            alive.append(owner)
    return alive


async def test_a_session_ended_by_a_stalled_server_closes_its_socket() -> None:
    async with hostile_server() as server:
        agent = rtagents.Agent(name="h")
        with anyio.fail_after(20):
            async with rtagents.connect(agent, url=server.url, send_timeout=1) as session:
                server.reading = False
                with pytest.raises(SessionClosedError, match="timed out"):
                    for _ in range(10_000):
                        await session.send_audio(b"\0" * 48000)
        assert session.closed_reason and "timed out" in session.closed_reason
        with anyio.move_on_after(3):  # well past the end; the keepalive would take ~20 s
            while client_connections_alive():
                await anyio.sleep(0.05)
        alive = client_connections_alive()
        assert not alive, (
            "3 s after connect returned, the session's websocket is still "
            f"{alive[0].protocol.state.name}, its socket open "
            f"(transport closing: {alive[0].transport.is_closing()})"
        )
