"""Messages the app reads: approve()/deny() given the request, and a rule's async `when`."""

from __future__ import annotations

from typing import Any

import pytest

from rtagents import ApprovalPolicy, ApprovalRequest
from rtagents.approvals import deny
from rtagents.approvals.broker import ApprovalBroker

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(5)]


async def test_approve_given_the_request_names_its_type() -> None:
    broker = ApprovalBroker(ApprovalPolicy(timeout=1), lambda e: None)
    request = ApprovalRequest.for_call(
        "call_1", "book", {"n": 1}, server_label=None, read_only=None, agent=None
    )
    with pytest.raises(TypeError) as raised:
        await broker.resolve(request, True)  # type: ignore[arg-type]
    assert str(raised.value) == (
        "approve() and deny() take the request's id (event.request.id), not a ApprovalRequest"
    )


async def _async_when(args: Any) -> bool:
    return True


def test_an_async_when_is_refused_saying_where_it_goes() -> None:
    with pytest.raises(TypeError) as raised:
        deny(when=_async_when)
    assert str(raised.value) == (
        "deny(when=...) takes a plain function that returns True or False, not an async one "
        "(a check that must await goes in the policy's handler, or the tool's needs_approval)"
    )
