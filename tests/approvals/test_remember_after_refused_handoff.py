"""A handoff the server refused (its session.update got an error): the session runs the
leaving agent again (``runner.use(source, how="again")``). With one ApprovalPolicy object
shared by both agents (the case the change was about), ``use(..., "again")`` does not call
``approvals.follow``, so the broker's ``_agent`` stays the *target* that never ran. From then
on ``ApprovalBroker._ours`` is False for every call of the agent actually running: a
``remember="session"`` yes is never stored nor used again for the rest of the session.

Right behaviour: after a refused handoff the session's memory is the running agent's again:
an identical second call is approved as remembered, its handler asked once."""

from __future__ import annotations

from typing import Any

import pytest

import rtagents
from rtagents import ApprovalPolicy, ApprovalRequest, Decision
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.emulator.faults import ErrorReply
from tests.session.live.frames import call_item
from tests.session.test_handoff_scope import answered, created, item_done, until

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]

asked: list[str] = []


@rtagents.tool(needs_approval=True)
def wire_money(amount: int) -> str:
    """Send money."""
    return f"sent {amount}"


def yes_for_the_session(request: ApprovalRequest) -> Decision:
    asked.append(request.call_id or "")
    return Decision(True, remember="session")


async def test_remembered_yes_still_works_after_a_refused_handoff() -> None:
    asked.clear()
    policy = ApprovalPolicy(handler=yes_for_the_session, timeout=5)
    support = rtagents.Agent(
        name="support", tools=[wire_money], approval=policy, output_modalities=["text"]
    )
    bank = rtagents.Agent(
        name="bank",
        tools=[wire_money],
        handoffs=[support],
        approval=policy,
        output_modalities=["text"],
    )
    events: list[Any] = []
    async with Emulator(model=ScriptedModel(["ok", "ok", "ok"])) as emu:
        async with rtagents.connect(bank, url=emu.url) as session:
            session.on("*")(events.append)
            conn = emu.last
            await conn.send_raw(created("resp_R1"))
            await until(events, lambda e: e.type == "response.created")
            conn.add_fault(ErrorReply(to="session.update", code="invalid_value"))
            await conn.send_raw(item_done("resp_R1", 0, call_item("h1", "transfer_to_support")))
            [h1] = await until(events, answered("h1"))
            assert h1.type == "tool.call.failed"  # the handoff was refused: bank runs on
            assert session.agent.name == "bank"
            wire = '{"amount": 5}'
            await conn.send_raw(created("resp_R2"))
            await conn.send_raw(item_done("resp_R2", 0, call_item("c1", "wire_money", wire)))
            await until(events, answered("c1"))
            await conn.send_raw(item_done("resp_R2", 1, call_item("c2", "wire_money", wire)))
            await until(events, answered("c2"))
    decided = {e.request.call_id: e.decided_by for e in events if e.type == "approval.decided"}
    # Right: c1 asked the handler (remember="session"), c2 is remembered.
    assert decided == {"c1": "handler", "c2": "remembered"}, decided
    assert asked == ["c1"]
