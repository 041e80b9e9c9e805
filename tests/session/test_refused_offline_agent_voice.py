"""An agent taken while the connection is down (``update_agent`` offline) and refused by the
new connection goes back to the agent the server ran. When that agent spoke in a voice a
handoff kept (the Realtime API refuses a new voice once the assistant has spoken), the
fallback must keep speaking in that voice. ``served.switched`` forgets the kept voice when
the refused agent is taken, and again when the served one is taken back, so the new
connection speaks in the served agent's own voice: the user hears the voice change."""

from __future__ import annotations

import contextlib
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.errors import SessionConfigError

pytestmark = pytest.mark.anyio


async def answered(session: Any, text: str) -> None:
    await session.send_text(text)
    with anyio.fail_after(10):
        async for event in session:
            if event.type == "response.done" and any(
                item.type == "message" for item in event.response.output or []
            ):
                return
        else:
            pytest.fail("the session ended before the answer")


async def test_the_fallback_after_a_refused_offline_switch_keeps_the_voice() -> None:
    billing = rtagents.Agent(name="billing", voice="cedar", handoffs=[lambda: triage])
    triage = rtagents.Agent(name="triage", voice="marin", handoffs=[billing])
    refused = rtagents.Agent(name="robot", voice="robot")  # no such voice: the server refuses
    model = ScriptedModel(
        [
            CallFunction("transfer_to_billing", call_id="h1"),
            "Billing here.",
            CallFunction("transfer_to_triage", call_id="h2"),
            "Triage again.",
            "Still triage.",
        ]
    )
    settings = Reconnect(backoff=0.3, max_backoff=0.3, jitter=0)
    async with Emulator(model=model) as emu:
        async with rtagents.connect(triage, url=emu.url, reconnect=settings) as session:
            await answered(session, "refund please")
            await answered(session, "back to triage")  # billing spoke: the voice stays cedar
            assert session.config["audio"]["output"]["voice"] == "cedar"
            emu.last.drop()
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "session.reconnecting":
                        break
                else:
                    pytest.fail("the session ended before it reconnected")
            with contextlib.suppress(SessionConfigError):
                await session.update_agent(refused)
            with anyio.fail_after(10):
                async for event in session:
                    if event.type in ("session.reconnected", "session.closed"):
                        break
                else:
                    pytest.fail("the session's events ended without session.closed")
            assert session.closed_reason is None
            assert session.agent is triage
            server_voice = emu.last.session["audio"]["output"]["voice"]
    assert server_voice == "cedar", "the fallback switched the user to triage's own voice"
