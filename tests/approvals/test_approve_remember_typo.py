"""``session.approve(id, remember="sesion")``: a typo in ``remember`` is an error the app
hears, and the request is not approved by it (it silently meant "once")."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy
from rtagents.emulator import CallFunction, Emulator, ScriptedModel

pytestmark = pytest.mark.anyio

ran: list[str] = []


@rtagents.tool(needs_approval=True)
def refund(order: str) -> str:
    """Refund an order."""
    ran.append(order)
    return f"refunded {order}"


async def test_a_remember_typo_raises_and_approves_nothing() -> None:
    agent = rtagents.Agent(
        name="a", tools=[refund], approval=ApprovalPolicy(timeout=5), output_modalities=["text"]
    )
    model = ScriptedModel([CallFunction("refund", {"order": "A1"}, call_id="c1"), "ok"])
    ended: Any = None
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            await session.send_text("Refund A1.")
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "approval.awaiting":
                        with pytest.raises(ValueError, match="'once' or 'session'"):
                            await session.approve(event.request.id, remember="sesion")
                        assert await session.deny(event.request.id, "no")
                    elif event.type in ("tool.call.completed", "tool.call.failed"):
                        ended = event
                        break
                else:
                    pytest.fail("the session ended before the call was answered")
    assert ran == []
    assert ended.type == "tool.call.failed" and ended.kind == "denied"
