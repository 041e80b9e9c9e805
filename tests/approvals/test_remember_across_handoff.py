"""A "remember for the session" yes given for the leaving agent's call must not carry over
to the agent that took over (docs/approvals.md: "A handoff forgets what was remembered: the
new agent's policy decides its calls from the start"; docs/handoffs.md: a call beside the
transfer is the leaving agent's, "never the new agent's, nor a 'remember for the session'
answer given under it").

``ApprovalBroker.decide`` stores a remembered decision when ``pending.policy is
self.policy`` and the generation is unchanged. A call of the transfer's own response that
is decided *after* the switch is decided under the leaving agent (its ``request.agent``,
its kept settings), but when both agents share one ``ApprovalPolicy`` object (the usual
``policy = ApprovalPolicy(handler=ask_a_human)`` for every agent) both checks pass, and its
yes lands in the new agent's memory: the new agent's identical call is then approved as
"remembered" without its handler being asked. Right: a decision made for a call kept for
the leaving agent is never remembered for the session's new agent (compare the agent, or
never remember a kept call's decision)."""

from __future__ import annotations

from typing import Any

import pytest

import rtagents
from rtagents import ApprovalPolicy, ApprovalRequest, Decision
from rtagents.emulator import Emulator, ScriptedModel
from tests.session.live.frames import call_item
from tests.session.test_handoff_scope import created, item_done, transfer_on_realtime, until

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]

ran: list[str] = []


@rtagents.tool(needs_approval=True)
def wire_money(amount: int) -> str:
    """Send money."""
    ran.append(f"wire {amount}")
    return f"sent {amount}"


asked: list[tuple[str, str]] = []


def per_agent(request: ApprovalRequest) -> Decision:
    """One handler for every agent: triage may wire money (for the rest of its session);
    billing never may."""
    asked.append((request.agent.name, request.call_id or ""))
    if request.agent.name == "triage":
        return Decision(True, remember="session")
    return Decision(False, reason="billing does not wire money")


def answered(call_id: str) -> Any:
    return lambda e: e.type in ("tool.call.completed", "tool.call.failed") and e.call_id == call_id


async def test_a_kept_calls_remembered_yes_does_not_approve_the_new_agents_call() -> None:
    ran.clear()
    asked.clear()
    policy = ApprovalPolicy(handler=per_agent, timeout=5)
    billing = rtagents.Agent(
        name="billing", tools=[wire_money], approval=policy, output_modalities=["text"]
    )
    triage = rtagents.Agent(
        name="triage",
        tools=[wire_money],
        handoffs=[billing],
        approval=policy,
        output_modalities=["text"],
    )
    events: list[Any] = []
    async with Emulator(model=ScriptedModel(["ok", "ok", "ok"])) as emu:
        async with rtagents.connect(triage, url=emu.url) as session:
            session.on("*")(events.append)
            conn = emu.last
            await transfer_on_realtime(conn, events, "billing")  # resp_R1 hands off
            # resp_R1 goes on: a call after the transfer in the same response is triage's.
            await conn.send_raw(
                item_done("resp_R1", 1, call_item("c1", "wire_money", '{"amount": 50}'))
            )
            [first] = await until(events, answered("c1"))
            # Billing's own turn makes the identical call.
            await conn.send_raw(created("resp_R2"))
            await conn.send_raw(
                item_done("resp_R2", 0, call_item("c2", "wire_money", '{"amount": 50}'))
            )
            [second] = await until(events, answered("c2"))
    assert first.type == "tool.call.completed"  # triage's call: approved by the handler
    decided = {
        e.request.call_id: (e.approve, e.decided_by) for e in events if e.type == "approval.decided"
    }
    # Right: billing's call is put to the handler, which denies it.
    assert decided["c2"] == (False, "handler"), decided
    assert second.type == "tool.call.failed" and ran == ["wire 50"]
