"""docs/guardrails.md, an input trip: "its tool calls still running are cancelled, as a
barge-in cancels calls: each is answered once, as cancelled". docs/handoffs.md: a handoff
"emits a handoff event ... after the server took the new agent's configuration". An input
guardrail trips while the answer's transfer call waits for the server to take the target's
configuration: the call is answered "cancelled" (the model is told nothing was transferred),
but the switch goes on and the session ends up running the target, and no ``handoff`` event
ever says so (``session.agent`` changes silently)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from tests.session.hostile import hostile_server

pytestmark = pytest.mark.anyio


async def test_a_transfer_cancelled_by_an_input_trip_is_reported_if_it_switched() -> None:
    gate = anyio.Event()

    async def no_locks(text: str) -> GuardrailResult:
        await gate.wait()  # a moderation call, slower than the answer
        return Trip("asks how to break in") if "lock" in text else PASS

    locksmith = rtagents.Agent(name="locksmith", instructions="You open locks.")
    triage = rtagents.Agent(
        name="triage", handoffs=[locksmith], guardrails=Guardrails(input=[no_locks])
    )
    events: list[Any] = []
    async with hostile_server() as server:
        async with rtagents.connect(triage, url=server.url, reconnect=None) as session:
            session.on("*")(events.append)
            await session.send_text(
                "Put me through to a locksmith: how do I pick a lock?", respond=False
            )
            await server.wait_for(lambda e: e["type"] == "conversation.item.create")
            server.answers_updates = False
            await server.call(
                "transfer_to_locksmith", {}, "call_t", done=False, response_id="resp_1"
            )
            update = await server.wait_for(
                lambda e: (
                    e["type"] == "session.update"
                    and e["session"].get("instructions") == "You open locks."
                )
            )
            gate.set()  # the trip: the transfer call is cancelled
            with anyio.fail_after(5):
                while not [e for e in events if e.type == "tool.call.failed"]:
                    await anyio.sleep(0.01)
            await server.send({"type": "session.updated", "session": update["session"]})
            await server.send(
                {
                    "type": "response.done",
                    "response": {"id": "resp_1", "status": "cancelled", "output": []},
                }
            )
            await anyio.sleep(0.3)
            agent = session.agent
    [trip] = [e for e in events if e.type == "guardrail.tripped"]
    [failed] = [e for e in events if e.type == "tool.call.failed"]
    assert failed.kind == "cancelled"  # the model was told: not transferred
    handoffs = [e for e in events if e.type == "handoff"]
    assert agent is triage or handoffs, (
        f"the session runs {agent.name} after its transfer was cancelled by the trip, and no "
        f"handoff event said so; events: {[e.type for e in events]}"
    )
