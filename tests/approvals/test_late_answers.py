"""An answer that comes after the policy's deadline never decides, even when the app's code
ignores its cancellation (it shields a prompt, or catches everything) and says yes later: the
deadline has denied the request by then. The same for a call whose own end (a barge-in, the
session's close) cut the wait short, and for a ``needs_approval`` check that answers late."""

from __future__ import annotations

import contextlib
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy, ApprovalRequest
from rtagents.approvals import ApprovalDecided
from rtagents.approvals.broker import ApprovalBroker
from rtagents.emulator import CallFunction

from .test_fail_closed import HOSTED, converse, echo, inject_hosted, ran

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(20)]

LATE_S = 0.4
"""How long after its deadline (0.1 s) the app's code answers."""


def _call() -> ApprovalRequest:
    return ApprovalRequest.for_call(
        "call_1", "transfer", {"amount": 5000}, server_label=None, read_only=None, agent=None
    )


async def shielded_yes(request: ApprovalRequest) -> bool:
    with anyio.CancelScope(shield=True):  # a prompt the app will not have torn down
        await anyio.sleep(LATE_S)
    return True


async def swallowing_yes(request: ApprovalRequest) -> bool:
    # App code that catches everything, its cancellation too.
    with contextlib.suppress(BaseException):
        await anyio.sleep(LATE_S)
    return True


async def shielded_no_approval_needed(ctx: Any, arguments: Any) -> bool:
    with anyio.CancelScope(shield=True):
        await anyio.sleep(LATE_S)
    return False


def _broker(policy: ApprovalPolicy) -> tuple[ApprovalBroker, list[Any]]:
    events: list[Any] = []
    return ApprovalBroker(policy, events.append), events


@pytest.mark.parametrize("handler", [shielded_yes, swallowing_yes])
async def test_a_handler_that_says_yes_after_the_deadline_is_denied(handler: Any) -> None:
    broker, events = _broker(ApprovalPolicy(handler=handler, timeout=0.1))
    decision = await broker.decide(_call())
    assert (decision.approve, decision.decided_by) == (False, "timeout")
    decided = [e for e in events if isinstance(e, ApprovalDecided)]
    assert [(e.approve, e.decided_by) for e in decided] == [(False, "timeout")]


async def test_a_yes_from_a_handler_still_deciding_when_the_call_ends_does_not_count() -> None:
    broker, events = _broker(ApprovalPolicy(handler=shielded_yes, timeout=10))
    with anyio.move_on_after(0.1):  # the call's own end: a barge-in, say
        await broker.decide(_call())
    decided = [e for e in events if isinstance(e, ApprovalDecided)]
    assert [(e.approve, e.decided_by) for e in decided] == [(False, "cancelled")]


async def test_an_outside_yes_after_the_deadline_does_not_count() -> None:
    broker, _ = _broker(ApprovalPolicy(timeout=0.1))  # no handler: an outside answer decides
    request = _call()
    decided: list[Any] = []
    async with anyio.create_task_group() as tg:

        async def decide() -> None:
            decided.append(await broker.decide(request))

        tg.start_soon(decide)
        await anyio.sleep(0.05)
        with anyio.CancelScope(shield=True):  # the yes arrives as the deadline passes
            await anyio.sleep(0.1)
        await broker.resolve(request.id, True)
    assert [(d.approve, d.decided_by) for d in decided] == [(False, "timeout")]


async def test_a_needs_approval_check_that_waives_after_the_deadline_is_denied() -> None:
    broker, events = _broker(ApprovalPolicy(timeout=0.1))  # no handler, no rule: deny
    decision = await broker.authorize(_call, shielded_no_approval_needed, None)
    assert (decision.approve, decision.decided_by) == (False, "timeout")
    assert decision.reason == "needs_approval gave no answer within 0.1 s"
    assert [type(e).__name__ for e in events] == ["ApprovalRequested", "ApprovalDecided"]


# -- end to end, on the emulator ---------------------------------------------------------------


@rtagents.tool(needs_approval=True)
def transfer(to: str, amount: int) -> str:
    """Move money."""
    ran.append(f"transfer {to}:{amount}")
    return "sent"


@rtagents.tool(needs_approval=shielded_no_approval_needed)
def refund(to: str, amount: int) -> str:
    """Refund money."""
    ran.append(f"refund {to}:{amount}")
    return "refunded"


async def test_a_late_yes_does_not_run_a_function_tool() -> None:
    out = await converse(
        [transfer],
        ApprovalPolicy(handler=shielded_yes, timeout=0.1),
        [CallFunction("transfer", {"to": "mallory", "amount": 5000}, call_id="t1"), echo],
    )
    assert ran == []
    assert out.denied_output("t1")
    assert [(e.approve, e.decided_by) for e in out.decided] == [(False, "timeout")]


async def test_a_late_waiver_does_not_run_a_function_tool() -> None:
    out = await converse(
        [refund],
        ApprovalPolicy(timeout=0.1),
        [CallFunction("refund", {"to": "mallory", "amount": 5000}, call_id="r1"), echo],
    )
    assert ran == []
    assert out.denied_output("r1")


async def test_a_late_yes_to_a_hosted_request_is_sent_as_a_deny() -> None:
    out = await converse(
        [HOSTED],
        ApprovalPolicy(handler=swallowing_yes, timeout=0.1),
        [echo],
        script=inject_hosted("docs", "delete_all", "{}"),
    )
    assert [r["approve"] for r in out.approval_responses] == [False]
    assert [(e.approve, e.decided_by) for e in out.decided] == [(False, "timeout")]


async def test_a_yes_decided_under_the_old_policy_after_a_handoff_is_not_remembered() -> None:
    # A call of the old agent's still waits for its handler when the session hands off; its
    # remembered yes must not pass over the new policy's rules.
    release = anyio.Event()

    async def slow_yes(request: ApprovalRequest) -> Any:
        await release.wait()
        return rtagents.Decision(True, remember="session")

    broker, _ = _broker(ApprovalPolicy(handler=slow_yes, timeout=5))
    decided: list[Any] = []
    async with anyio.create_task_group() as tg:

        async def old_call() -> None:
            decided.append(await broker.decide(_call()))

        tg.start_soon(old_call)
        await anyio.sleep(0.05)
        broker.follow(ApprovalPolicy(rules=[rtagents.deny(tool="transfer", reason="strict")]))
        release.set()
    assert [(d.approve, d.decided_by) for d in decided] == [(True, "handler")]
    again = await broker.decide(_call())
    assert (again.approve, again.decided_by, again.reason) == (False, "rule", "strict")


async def test_a_decision_pending_across_a_second_handoff_is_not_remembered_either() -> None:
    release = anyio.Event()

    async def slow_yes(request: ApprovalRequest) -> Any:
        await release.wait()
        return rtagents.Decision(True, remember="session")

    broker, _ = _broker(ApprovalPolicy(handler=slow_yes, timeout=5))
    broker.follow(ApprovalPolicy(handler=slow_yes, timeout=5))  # a first handoff
    async with anyio.create_task_group() as tg:
        tg.start_soon(broker.decide, _call())
        await anyio.sleep(0.05)
        broker.follow(ApprovalPolicy(rules=[rtagents.deny(tool="transfer", reason="strict")]))
        release.set()
    again = await broker.decide(_call())
    assert (again.approve, again.reason) == (False, "strict")
