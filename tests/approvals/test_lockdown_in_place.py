"""docs/session.md (update_agent): "calls from then on use its approval policy ... also when
it is the same agent changed in place"; docs/handoffs.md: "the new policy decides every call
from then on, those of the answer running included, so that an app can lock a session down in
the middle of an answer. A call still waiting for its approval when the server takes the new
agent's configuration (another policy) is denied then".

``RealtimeSession.update_agent`` withdraws what waits only when
``agent.approval is not before.approval``: for the same agent changed in place, ``before`` is
that agent, so the comparison reads the new policy on both sides and nothing is withdrawn.
The request keeps its old policy (``Pending.policy``), and the dialog's ``session.approve``
after the lockdown approves it: the refund runs."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy, deny
from rtagents.emulator import CallFunction, Emulator, ScriptedModel

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]

ran: list[str] = []


@rtagents.tool(needs_approval=True)
def refund(order: str) -> str:
    """Refund an order."""
    ran.append(order)
    return f"refunded {order}"


async def test_a_lockdown_in_place_denies_the_request_that_waits() -> None:
    agent = rtagents.Agent(
        name="open",
        tools=[refund],
        approval=ApprovalPolicy(timeout=10),  # left to a UI's dialog
        output_modalities=["text"],
    )
    model = ScriptedModel([CallFunction("refund", {"order": "A1"}, call_id="c1"), "ok"])
    approved: Any = None
    ended: Any = None
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            await session.send_text("Refund A1.")
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "approval.awaiting":
                        # Lock the session down: the same agent, changed in place.
                        agent.approval = ApprovalPolicy(
                            rules=[deny(tool="refund", reason="locked down")]
                        )
                        await session.update_agent(agent)
                        approved = await session.approve(event.request.id)
                    elif event.type in ("tool.call.completed", "tool.call.failed"):
                        ended = event
                        break
                else:
                    pytest.fail("the session ended before the call was answered")
    assert ran == [], f"the refund ran after the lockdown (approve() returned {approved})"
    assert approved is False
    assert ended.type == "tool.call.failed" and ended.kind == "denied"
