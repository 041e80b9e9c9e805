"""docs/handoffs.md: "The app's own switch, `session.update_agent`, keeps nothing ...: the
new policy decides every call from then on, those of the answer running included, so that an
app can lock a session down in the middle of an answer." (and docs/approvals.md: "a yes given
under the old one never passes over the new one's rules").

A call of the running answer that is still waiting for its approval when the app locks the
session down keeps the old policy (``Pending.policy`` is taken when the request is made):
the stale dialog's ``session.approve()`` still approves it after the switch, and the refund
runs although the agent the session now runs has ``deny(tool="refund")``.
"""

from __future__ import annotations

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


async def test_a_request_waiting_at_a_lockdown_is_decided_by_the_new_policy() -> None:
    ran.clear()
    open_ = rtagents.Agent(
        name="open",
        tools=[refund],
        approval=ApprovalPolicy(timeout=10),  # left to a UI's dialog
        output_modalities=["text"],
    )
    locked = open_.clone(
        name="locked",
        approval=ApprovalPolicy(rules=[deny(tool="refund", reason="locked down")]),
    )
    model = ScriptedModel([CallFunction("refund", {"order": "A1"}, call_id="c1"), "ok"])
    approved = None
    async with Emulator(model=model) as emu:
        async with rtagents.connect(open_, url=emu.url) as session:
            await session.send_text("Refund A1.")
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "approval.awaiting":
                        # Fraud detected: the app locks the session down mid-answer...
                        await session.update_agent(locked)
                        # ...and then the dialog that was already open is clicked.
                        approved = await session.approve(event.request.id)
                    elif event.type in ("tool.call.completed", "tool.call.failed"):
                        break
                else:
                    pytest.fail("the session ended before the call was answered")
    assert ran == [], f"the refund ran after the lockdown (approve() returned {approved})"
    assert event.type == "tool.call.failed" and event.kind == "denied", event
