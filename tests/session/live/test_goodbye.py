"""Leaving ``async with connect(agent, api="live")`` sends ``session.close``: a Live session
outlives its socket (the server takes a close for a drop and keeps the session, billed, for
an attach that never comes). A sideband sends none: its session is a SIP call's, which the
call's own end ends."""

from __future__ import annotations

import json

import anyio
import pytest

import rtagents
from rtagents.emulator import Emulator
from rtagents.session.actions import ToolTraits
from rtagents.session.live import LiveCore
from rtagents.session.realtime import RealtimeCore
from rtagents.session.upstream import Upstream


def test_only_a_primary_live_session_has_a_goodbye() -> None:
    frame = LiveCore(lambda name, rid: ToolTraits()).goodbye()
    assert frame is not None and json.loads(frame)["type"] == "session.close"
    assert LiveCore(lambda name, rid: ToolTraits(), sideband=True).goodbye() is None
    assert RealtimeCore(lambda name, rid: ToolTraits()).goodbye() is None  # its socket's end


@pytest.mark.anyio
async def test_closing_a_live_session_ends_it_on_the_server() -> None:
    async with Emulator() as emu:
        async with rtagents.connect(rtagents.Agent(), url=emu.live_url, api="live") as session:
            session_id = session.id
        with anyio.fail_after(5):
            while emu.can_resume(session_id):
                await anyio.sleep(0.02)
        received = [e["type"] for c in emu.connections for e in c.received]
    assert received[-1] == "session.close"


class Stuck:
    """A transport whose peer stopped reading: every send waits forever."""

    def __init__(self) -> None:
        self.closed = False

    async def send(self, frame: str) -> None:
        await anyio.sleep_forever()

    async def recv(self) -> str:
        await anyio.sleep_forever()

    async def close(self) -> None:
        self.closed = True


@pytest.mark.anyio
async def test_a_goodbye_the_server_does_not_read_still_lets_the_socket_close() -> None:
    """A session that ends because the server stopped reading: its goodbye's send waits
    for a moment of its own, and the transport closes (it took the close's whole budget,
    and the socket was never closed)."""
    core = LiveCore(lambda name, rid: ToolTraits())
    transport = Stuck()
    upstream = Upstream(transport, core, session=None, send_timeout=None)  # type: ignore[arg-type]
    with anyio.fail_after(5):
        await upstream.close(core.goodbye())
    assert transport.closed, "the goodbye's send took the whole budget: the socket was never closed"
