"""The server-side trace is the session's, set once: after a handoff, a reconnect's new
Realtime session is given the first agent's ``tracing`` again (the same workflow and group),
never the agent it was handed to's (whose ``tracing=None`` would turn it off)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.protocol import TracingConfiguration

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("billing_tracing", ["auto", None], ids=["auto", "off"])
async def test_a_reconnect_after_a_handoff_keeps_the_sessions_tracing(
    billing_tracing: Any,
) -> None:
    billing = rtagents.Agent(name="billing", output_modalities=["text"], tracing=billing_tracing)
    support = TracingConfiguration(workflow_name="support", group_id="ticket-42")
    triage = rtagents.Agent(
        name="triage", handoffs=[billing], output_modalities=["text"], tracing=support
    )
    turns = [CallFunction("transfer_to_billing", call_id="h1"), "Billing here.", "Still here."]
    async with Emulator(model=ScriptedModel(turns, then="ok")) as emu:
        fast = Reconnect(backoff=0.01, max_backoff=0.05)
        async with rtagents.connect(triage, transport=emu.transport, reconnect=fast) as session:
            with anyio.fail_after(10):
                await session.ask("I want a refund.")
                emu.last.drop()
                async for event in session:
                    if event.type == "session.reconnected":
                        break
                else:
                    pytest.fail("the session ended before it reconnected")
                await session.ask("Still there?")
        first, second = emu.connections[0], emu.connections[-1]
    assert len(emu.connections) == 2

    def tracing(conn: Any) -> list[Any]:
        updates = [e["session"] for e in conn.received if e["type"] == "session.update"]
        return [u["tracing"] for u in updates if "tracing" in u]

    [sent] = tracing(first)
    assert (sent["workflow_name"], sent["group_id"]) == ("support", "ticket-42")
    assert tracing(second) == [sent]
