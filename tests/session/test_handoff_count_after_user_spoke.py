"""Regression (3ef76ff): ``Handoffs.transfer`` now counts a transfer before its switch and
takes the count back (``_in_a_row -= 1``) when the switch fails. If the user speaks while
the switch waits for the server (``see`` resets the count to 0), a refusal then takes the
count to -1, and the next chain of transfers gets one more than ``max_handoffs`` without
the user speaking. (Before, the count was only added after a successful switch.)

Right behaviour: the count never goes below 0; with ``max_handoffs=1`` the second transfer
in a row after that is refused."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest
from opentelemetry import trace

import rtagents
from rtagents.agent import Handoff
from rtagents.errors import SessionConfigError
from rtagents.session.handoff import HandoffRefused, Handoffs, TransferTool

pytestmark = pytest.mark.anyio


class FakeRunner:
    def __init__(self, agent: rtagents.Agent) -> None:
        self.agent = agent
        self.core = SimpleNamespace(
            owns_message=lambda item_id: False
        )  # not Realtime: no voice rule
        self.tracer = SimpleNamespace(session=trace.INVALID_SPAN)
        settings = SimpleNamespace(agent=None)  # nothing kept: the session's agent
        self.dispatcher = SimpleNamespace(
            offers=SimpleNamespace(switches=0, of=lambda rid: (None, settings)),
            response_of=lambda call_id: None,
        )
        self.gate: asyncio.Event | None = None
        self.refuse = False
        self.page_client = False  # (no browser page: see session.page)
        self.events: list[Any] = []

    def deliver(self, event: Any, size: int = 0, frame: Any = None) -> None:
        self.events.append(event)

    def use(self, agent: Any, keep_for: Any = None, how: str = "switch", back_to: int = 0) -> None:
        self.agent = agent
        if how in ("switch", "app"):
            self.dispatcher.offers.switches += 1

    async def configure(self, agent: Any, *, force: bool = False) -> bool:
        if self.gate is not None:
            await self.gate.wait()
        if self.refuse:
            raise SessionConfigError("refused", code="invalid_value")
        return True


async def test_a_refused_transfer_after_the_user_spoke_leaves_no_negative_count() -> None:
    billing = rtagents.Agent(name="billing", max_handoffs=1)
    desk = rtagents.Agent(name="desk", handoffs=[billing], max_handoffs=1)
    billing.handoffs = [desk]  # type: ignore[misc]
    runner = FakeRunner(desk)
    handoffs = Handoffs(runner)  # type: ignore[arg-type]
    to_billing = TransferTool(Handoff(billing), handoffs)
    to_desk = TransferTool(Handoff(desk), handoffs)

    runner.gate, runner.refuse = asyncio.Event(), True
    first = asyncio.ensure_future(handoffs.transfer(to_billing, "h1"))
    await asyncio.sleep(0)
    # The user speaks while the server has not answered the update yet.
    handoffs.see(SimpleNamespace(type="conversation.item.added", item=SimpleNamespace(role="user")))
    runner.gate.set()
    with pytest.raises(HandoffRefused):
        await first
    runner.agent, runner.gate, runner.refuse = desk, None, False

    await handoffs.transfer(to_billing, "h2")  # one handoff since the user spoke: allowed
    with pytest.raises(HandoffRefused):  # a second in a row: past max_handoffs=1
        await handoffs.transfer(to_desk, "h3")
