"""A tool's ``needs_approval`` predicate answers within the policy's timeout: one whose own
``CancelledError`` ends it (a shared lookup cancelled elsewhere) is a deny, as any failure
is (fail closed), never taken for the call's cancellation; one that shields its lookup is
denied at the timeout, the decision not held up by it."""

from __future__ import annotations

import asyncio

import anyio
import pytest

from rtagents import ApprovalPolicy, ApprovalRequest
from rtagents.approvals.broker import ApprovalBroker

pytestmark = pytest.mark.anyio


def _call() -> ApprovalRequest:
    return ApprovalRequest.for_call(
        "call_1", "book", {"n": 1}, server_label=None, read_only=None, agent="the agent"
    )


async def test_a_predicates_own_cancelled_error_is_a_deny() -> None:
    broker = ApprovalBroker(ApprovalPolicy(timeout=1), [].append)
    request = _call()

    async def check(ctx: object, arguments: object) -> bool:
        raise asyncio.CancelledError()  # a shared lookup's future, cancelled by its owner

    try:
        decision = await broker.authorize(lambda: request, check, None)
    except asyncio.CancelledError:
        pytest.fail("the predicate's own CancelledError escaped authorize: no decision")
    assert decision.approve is False and decision.decided_by == "error"
    assert "needs_approval was cancelled (a CancelledError of its own)" in (decision.reason or "")


async def test_a_shielded_predicate_does_not_hold_the_decision_past_the_timeout() -> None:
    broker = ApprovalBroker(ApprovalPolicy(timeout=0.2), [].append)
    request = _call()

    async def check(ctx: object, arguments: object) -> bool:
        with anyio.CancelScope(shield=True):
            await anyio.sleep(1.0)
        return False

    began = anyio.current_time()
    decision = await broker.authorize(lambda: request, check, None)
    took = anyio.current_time() - began
    assert decision.approve is False
    assert took < 0.6, f"the deny waited {took:.2f} s for a 0.2 s timeout"
