"""docs/session.md, ``update_agent``: "If the server refuses the new configuration
(``SessionConfigError``), the session stays with the agent it had"; docs/handoffs.md: a call
waiting for approval "at the switch" is denied, for "no policy but the new one decides".

A refused ``update_agent`` is no switch: the session stays on its agent and policy. But
``SessionRunner.use(agent, how="app")`` withdraws (denies, ``decided_by="cancelled"``) every
request still waiting before the server has answered, and the roll-back takes nothing back:
the call the person was about to approve under the unchanged policy was denied by an
update that did not happen, and their ``session.approve`` counts for nothing.
"""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.errors import SessionConfigError

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]

ran: list[str] = []


@rtagents.tool(needs_approval=True)
def refund(order: str) -> str:
    """Refund an order."""
    ran.append(order)
    return f"refunded {order}"


async def test_a_refused_update_agent_leaves_a_waiting_request_to_be_approved() -> None:
    ran.clear()
    agent = rtagents.Agent(
        name="open",
        tools=[refund],
        approval=ApprovalPolicy(timeout=10),  # left to a UI's dialog
        output_modalities=["text"],
    )
    refused = agent.clone(name="robot", voice="robot")  # a voice the server refuses
    model = ScriptedModel([CallFunction("refund", {"order": "A1"}, call_id="c1"), "ok"])
    approved = None
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            await session.send_text("Refund A1.")
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "approval.awaiting":
                        with pytest.raises(SessionConfigError):
                            await session.update_agent(refused)
                        assert session.agent is agent  # the session stays on its agent
                        approved = await session.approve(event.request.id)
                    elif event.type in ("tool.call.completed", "tool.call.failed"):
                        break
                else:
                    pytest.fail("the session ended before the call was answered")
    assert approved is True and ran == ["A1"], (approved, ran, event)
