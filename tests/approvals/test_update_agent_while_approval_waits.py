"""docs/handoffs.md: after the app's own ``update_agent`` "the new policy decides every call
from then on, those of the answer running included, so that an app can lock a session down
in the middle of an answer"; a call still waiting for its approval when the server takes the
new configuration is denied. docs/session.md: "If the server refuses the new configuration
(``SessionConfigError``), the session stays with the agent it had": nothing changes then.

Once, a waiting request kept the old policy (``Pending.policy``): the dialog's
``session.approve`` after a lockdown still approved it and the refund ran. Then the switch
denied what waited before the server answered, so a refused switch denied it too."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy, deny
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.errors import SessionConfigError

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]

ran: list[str] = []


@rtagents.tool(needs_approval=True)
def refund(order: str) -> str:
    """Refund an order."""
    ran.append(order)
    return f"refunded {order}"


OPEN = rtagents.Agent(
    name="open",
    tools=[refund],
    approval=ApprovalPolicy(timeout=10),  # left to a UI's dialog
    output_modalities=["text"],
)
LOCKED_POLICY = ApprovalPolicy(rules=[deny(tool="refund", reason="locked down")])


async def approve_after_switch(switch_to: rtagents.Agent, *, refused: bool) -> tuple[Any, Any]:
    """A refund waits for the dialog; the app switches agents, then the dialog is clicked:
    what ``session.approve`` said, and how the call ended."""
    ran.clear()
    model = ScriptedModel([CallFunction("refund", {"order": "A1"}, call_id="c1"), "ok"])
    approved = None
    async with Emulator(model=model) as emu:
        async with rtagents.connect(OPEN, url=emu.url) as session:
            await session.send_text("Refund A1.")
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "approval.awaiting":
                        if refused:
                            with pytest.raises(SessionConfigError):
                                await session.update_agent(switch_to)
                            assert session.agent is OPEN  # the session stays on its agent
                        else:
                            await session.update_agent(switch_to)
                        approved = await session.approve(event.request.id)
                    elif event.type in ("tool.call.completed", "tool.call.failed"):
                        return approved, event
    pytest.fail("the session ended before the call was answered")


async def test_a_lockdown_denies_the_request_that_waits() -> None:
    locked = OPEN.clone(name="locked", approval=LOCKED_POLICY)
    approved, event = await approve_after_switch(locked, refused=False)
    assert ran == [], f"the refund ran after the lockdown (approve() returned {approved})"
    assert approved is False and event.type == "tool.call.failed" and event.kind == "denied"


async def test_a_refused_switch_leaves_the_request_to_be_approved() -> None:
    # Another policy (a lockdown), but a voice the server refuses: no switch happened.
    refused = OPEN.clone(name="robot", voice="robot", approval=LOCKED_POLICY)
    approved, event = await approve_after_switch(refused, refused=True)
    assert approved is True and ran == ["A1"], (approved, ran, event)
