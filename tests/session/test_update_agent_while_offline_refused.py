"""``update_agent`` made while the connection is down is not sent then; the next connection
is configured with the new agent. If the server refuses that configuration, docs/session.md
(``update_agent``) says the session stays with the agent it had. Instead, the reconnect
treats it as a rejected configuration of the session and closes the session for good: a
network blip at the wrong moment turns a refusable agent switch into the end of the call."""

from __future__ import annotations

import contextlib
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.errors import SessionConfigError

pytestmark = pytest.mark.anyio


async def test_an_agent_switch_refused_on_the_new_connection_does_not_end_the_session() -> None:
    triage = rtagents.Agent(name="triage", output_modalities=["text"])
    billing = rtagents.Agent(name="billing", voice="robot", output_modalities=["text"])  # refused
    events: list[Any] = []
    async with Emulator(model=ScriptedModel(["Hello.", "Still here."])) as emu:
        settings = Reconnect(backoff=0.3, max_backoff=0.3, jitter=0)
        async with rtagents.connect(triage, url=emu.url, reconnect=settings) as session:
            session.on("*")(events.append)
            await session.ask("hi")
            emu.last.drop()
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "session.reconnecting":
                        break
                else:
                    pytest.fail("the session ended before it reconnected")
            # Offline: either refused here, or refused later and taken back; never the end.
            with contextlib.suppress(SessionConfigError):
                await session.update_agent(billing)
            with anyio.fail_after(10):
                async for event in session:
                    if event.type in ("session.reconnected", "session.closed"):
                        break
                else:
                    pytest.fail("the session's events ended without session.closed")
            await anyio.sleep(0.2)
            closed = session.closed_reason
    assert closed is None, closed
