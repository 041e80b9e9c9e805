"""An approval handler that raises an exception whose ``exceptions`` property raises is
denied at once as the handler's failure (``decided_by="error"``). Describing it
(``root_cause``) raised in its turn: the handler's task died with it, the request was never
answered, and it was denied only at the policy's timeout, as "nobody approved it"."""

from __future__ import annotations

import gc
import logging
from typing import Any

import pytest

from rtagents import ApprovalPolicy
from rtagents.approvals import ApprovalRequest
from rtagents.approvals.broker import ApprovalBroker

pytestmark = pytest.mark.anyio


class Lazy(Exception):
    @property
    def exceptions(self) -> list[Exception]:
        raise RuntimeError("the batch's errors could not be loaded")


async def test_a_handler_error_is_a_deny_by_error_at_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def handler(request: Any) -> bool:
        raise Lazy("the approvals service failed")

    events: list[Any] = []
    broker = ApprovalBroker(ApprovalPolicy(handler=handler, timeout=2), events.append)
    request = ApprovalRequest.for_call(
        "c", "book", {"day": 1}, server_label=None, read_only=None, agent=None
    )
    with caplog.at_level(logging.DEBUG):
        decision = await broker.decide(request)
        gc.collect()
    assert (decision.approve, decision.decided_by) == (False, "error"), decision
