"""An approval handler still waiting when its request is decided otherwise (its deadline,
an answer from outside) is told to stop: its task is cancelled, and it is not waited for. A
prompt left running would ask a person a question nobody reads the answer to."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from rtagents import ApprovalPolicy
from rtagents.approvals import ApprovalRequest
from rtagents.approvals.broker import ApprovalBroker

pytestmark = pytest.mark.anyio


def request() -> ApprovalRequest:
    return ApprovalRequest.for_call(
        "c", "book", {"day": 1}, server_label=None, read_only=None, agent=None
    )


class Prompt:
    """A handler that waits for a person who never answers, and says when it was stopped."""

    def __init__(self) -> None:
        self.asked = anyio.Event()
        self.stopped = anyio.Event()

    async def __call__(self, request: Any) -> bool:
        self.asked.set()
        try:
            await anyio.sleep_forever()
        finally:
            self.stopped.set()
        return True


async def test_a_handler_past_its_deadline_is_stopped() -> None:
    prompt = Prompt()
    broker = ApprovalBroker(ApprovalPolicy(handler=prompt, timeout=0.1), lambda event: None)
    decision = await broker.decide(request())
    assert (decision.approve, decision.decided_by) == (False, "timeout")
    with anyio.fail_after(2):
        await prompt.stopped.wait()


async def test_a_handler_answered_for_from_outside_is_stopped() -> None:
    prompt = Prompt()
    broker = ApprovalBroker(ApprovalPolicy(handler=prompt, timeout=30), lambda event: None)
    asked = request()
    async with anyio.create_task_group() as tg:
        decided: list[Any] = []

        async def decide() -> None:
            decided.append(await broker.decide(asked))

        tg.start_soon(decide)
        with anyio.fail_after(2):
            await prompt.asked.wait()
        assert await broker.resolve(asked.id, False, "an operator said no")
    assert decided[0].approve is False
    with anyio.fail_after(2):
        await prompt.stopped.wait()
