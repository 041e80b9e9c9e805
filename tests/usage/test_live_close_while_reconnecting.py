"""Leaving ``async with connect(agent, api="live")`` while the connection is down (the
session is waiting to reconnect): docs/live.md says the close "sends ``session.close``
before the socket closes: the server takes a socket that closes for a drop, and keeps the
session (billed) for an attach that never comes". With the connection down, the goodbye
goes to the dead socket: the Live session is left on the server, still attachable (billed
until it times out), and ``session.usage`` never gets its final total."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.emulator import Emulator, Say, ScriptedModel
from tests.session.live.harness import speak, until

pytestmark = pytest.mark.anyio


async def test_closing_while_reconnecting_still_ends_the_live_session() -> None:
    model = ScriptedModel([Say("Hello there.")])
    agent = rtagents.Agent(instructions="Greet.")
    slow = Reconnect(backoff=30.0, max_backoff=30.0, jitter=0.0)
    async with Emulator(model=model, live_resume_s=60) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live", reconnect=slow) as session:
            await speak(session)
            await until(session, lambda seen: seen[-1].type == "usage.updated")
            session_id = session.id
            emu.last.drop()
            await until(session, lambda seen: seen[-1].type == "session.reconnecting")
        # The app has left: the Live session must be over on the server.
        with anyio.fail_after(3):
            while emu.can_resume(session_id):
                await anyio.sleep(0.05)
