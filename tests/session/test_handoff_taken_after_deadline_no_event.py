"""docs/handoffs.md: "The server's answer to a transfer's session.update decides which agent
the session runs, also when the transfer call was given up at its deadline meanwhile", and
the events table: a ``handoff`` event "after the server took the new agent's configuration".
A transfer given up at its deadline and then taken by the server switches the session to the
target, yet no ``handoff`` event (nor span end) ever says so: the app that follows the agent
by its handoff events (a UI, an audit log) still thinks triage answers."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from tests.session.hostile import hostile_server

pytestmark = pytest.mark.anyio


async def test_a_transfer_taken_after_its_deadline_is_still_reported() -> None:
    billing = rtagents.Agent(name="billing", instructions="You do billing.")
    triage = rtagents.Agent(name="triage", handoffs=[billing], tool_timeout=0.3)
    events: list[Any] = []
    async with hostile_server() as server:
        async with rtagents.connect(triage, url=server.url, reconnect=None) as session:
            session.on("*")(events.append)
            server.answers_updates = False  # the transfer's update: answered late
            await server.call("transfer_to_billing", {}, "call_t")
            update = await server.wait_for(
                lambda e: (
                    e["type"] == "session.update"
                    and e["session"].get("instructions") == "You do billing."
                )
            )
            with anyio.fail_after(5):
                while not [e for e in events if e.type == "tool.call.failed"]:
                    await anyio.sleep(0.01)
            [failed] = [e for e in events if e.type == "tool.call.failed"]
            assert failed.kind == "timeout"
            await server.send({"type": "session.updated", "session": update["session"]})
            await anyio.sleep(0.3)
            agent = session.agent
    assert agent is billing  # the server took it: the session runs billing (as documented)
    handoffs = [e for e in events if e.type == "handoff"]
    assert handoffs, (
        "the session switched to billing (the server took its configuration) with no "
        f"handoff event; events: {[e.type for e in events]}"
    )
