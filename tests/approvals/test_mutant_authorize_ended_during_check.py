"""authorize: a call stopped (or the session closed) while its needs_approval check ran is
denied, reported as such, and only that call: another call's stop leaves it alone."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from rtagents import ApprovalPolicy, ApprovalRequest
from rtagents.approvals import ApprovalDecided, ApprovalRequested
from rtagents.approvals.broker import NOT_REQUIRED, ApprovalBroker

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(5)]


def _call(call_id: str = "call_1") -> ApprovalRequest:
    return ApprovalRequest.for_call(
        call_id, "book", {"n": 1}, server_label=None, read_only=None, agent="the agent"
    )


def _broker() -> tuple[ApprovalBroker, list[Any]]:
    events: list[Any] = []
    return ApprovalBroker(ApprovalPolicy(timeout=1), events.append), events


async def test_another_calls_stop_leaves_a_waived_call_alone() -> None:
    broker, events = _broker()
    broker.stop("call_other")  # stopped before it was asked: kept in _stopped
    request = _call()
    assert await broker.authorize(lambda: request, lambda ctx, args: False, None) is NOT_REQUIRED
    assert events == []


async def test_a_call_stopped_while_its_check_runs_is_denied_and_reported() -> None:
    broker, events = _broker()
    request = _call()

    def check(ctx: Any, args: Any) -> bool:
        broker.stop(request.id)  # the barge-in, while the check runs
        return False

    decision = await broker.authorize(lambda: request, check, None)
    assert (decision.approve, decision.decided_by) == (False, "cancelled")
    assert [type(e) for e in events] == [ApprovalRequested, ApprovalDecided]
    assert all(e.request is request for e in events)
    assert (events[1].approve, events[1].decided_by) == (False, "cancelled")


async def test_a_session_closed_while_the_check_runs_denies_as_close() -> None:
    broker, events = _broker()
    request = _call()

    async def check(ctx: Any, args: Any) -> bool:
        broker.close()
        await anyio.lowlevel.checkpoint()
        return False

    decision = await broker.authorize(lambda: request, check, None)
    assert (decision.approve, decision.decided_by) == (False, "close")
    assert [(type(e), e.request) for e in events] == [
        (ApprovalRequested, request),
        (ApprovalDecided, request),
    ]
