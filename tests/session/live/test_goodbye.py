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
