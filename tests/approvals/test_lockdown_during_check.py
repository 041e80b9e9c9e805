"""docs/handoffs.md: after the app's own ``update_agent`` "the new policy decides every call
from then on, those of the answer running included, so that an app can lock a session down in
the middle of an answer."

A call whose tool's ``needs_approval`` check is still running when the app switches agents
(``update_agent`` to a locked-down clone) is not yet pending, so ``withdraw`` misses it; once
the check says the call needs approval, ``authorize`` hands it to the *old* policy, kept in
the call's ``CallSettings`` since the call started. That policy leaves it to a dialog, whose
``session.approve`` after the lockdown approves it, and the refund runs."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy, deny
from rtagents.emulator import CallFunction, Emulator, ScriptedModel

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]

ran: list[str] = []
checking = anyio.Event()
switched = anyio.Event()


async def big_refunds(ctx: Any, args: dict[str, Any]) -> bool:
    checking.set()
    await switched.wait()  # a lookup that takes a moment (the app locks down meanwhile)
    return True


@rtagents.tool(needs_approval=big_refunds)
def refund(order: str) -> str:
    """Refund an order."""
    ran.append(order)
    return f"refunded {order}"


async def test_a_lockdown_while_the_check_runs_decides_the_call() -> None:
    global checking, switched
    checking, switched = anyio.Event(), anyio.Event()
    ran.clear()
    open_agent = rtagents.Agent(
        name="open",
        tools=[refund],
        approval=ApprovalPolicy(timeout=10),  # left to a UI's dialog
        output_modalities=["text"],
    )
    locked = open_agent.clone(
        name="locked", approval=ApprovalPolicy(rules=[deny(tool="refund", reason="locked")])
    )
    model = ScriptedModel([CallFunction("refund", {"order": "A1"}, call_id="c1"), "ok"])
    approved: Any = None
    ended: Any = None
    decided: list[Any] = []
    reasons: list[Any] = []
    requested: list[Any] = []
    async with Emulator(model=model) as emu:
        async with rtagents.connect(open_agent, url=emu.url) as session:
            await session.send_text("Refund A1.")
            with anyio.fail_after(10):
                await checking.wait()
                await session.update_agent(locked)  # the lockdown, mid-answer
                switched.set()
                async for event in session:
                    if event.type == "approval.requested":
                        requested.append(event.request)
                    elif event.type == "approval.decided":
                        decided.append((event.approve, event.decided_by))
                        reasons.append(event.reason)
                    elif event.type == "approval.awaiting":
                        approved = await session.approve(event.request.id)
                    elif event.type in ("tool.call.completed", "tool.call.failed"):
                        ended = event
                        break
                else:
                    pytest.fail("the session ended before the call was answered")
    assert ran == [], f"the refund ran after the lockdown (approve() returned {approved})"
    # Withdrawn: the check ran under the old agent, and the switch took while it ran.
    assert decided == [(False, "cancelled")]
    assert [r.tool_name for r in requested] == ["refund"]
    assert requested[0].arguments == {"order": "A1"}
    assert reasons[0] is not None and "the agent changed" in reasons[0]
    assert ended.type == "tool.call.failed" and ended.kind == "denied"


async def test_a_second_lockdown_while_the_check_runs_decides_the_call_too() -> None:
    """The switches are counted: a check running across the second switch is denied too
    (a count that stops changing after the first would let it through)."""
    global checking, switched
    checking, switched = anyio.Event(), anyio.Event()
    ran.clear()
    open_agent = rtagents.Agent(
        name="open",
        tools=[refund],
        approval=ApprovalPolicy(timeout=10),
        output_modalities=["text"],
    )
    again = open_agent.clone(name="again")
    model = ScriptedModel([CallFunction("refund", {"order": "A2"}, call_id="c2"), "ok"])
    decided: list[Any] = []
    async with Emulator(model=model) as emu:
        async with rtagents.connect(open_agent, url=emu.url) as session:
            await session.update_agent(again)  # a first switch, before any call
            await session.send_text("Refund A2.")
            with anyio.fail_after(10):
                await checking.wait()
                await session.update_agent(open_agent)  # the second, while the check runs
                switched.set()
                async for event in session:
                    if event.type == "approval.decided":
                        decided.append((event.approve, event.decided_by))
                    elif event.type == "approval.awaiting":
                        await session.approve(event.request.id)
                    elif event.type in ("tool.call.completed", "tool.call.failed"):
                        break
                else:
                    pytest.fail("the session ended before the call was answered")
    assert ran == []
    assert decided == [(False, "cancelled")]
