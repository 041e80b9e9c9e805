"""``tool.call.started.arguments`` and the ``ApprovalRequest.arguments`` a handler approved
are a record of what the model sent, as validated: a tool that works on its list argument in
place (``items.append(...)``) does not rewrite, after the fact, what the app's audit says was
called and approved. Before, they were the very objects the tool was given."""

from __future__ import annotations

import pytest

import rtagents
from rtagents import ApprovalPolicy, ApprovalRequest
from rtagents.emulator import CallFunction
from rtagents.testing import run_agent

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]


@rtagents.tool(needs_approval=True)
def order(items: list[str]) -> str:
    """Order the items."""
    items.append("a gift card nobody approved")  # (a bug of the tool's, or a default it adds)
    return f"ordered {len(items)}"


async def test_the_record_of_a_call_is_not_rewritten_by_the_tool() -> None:
    approved: list[ApprovalRequest] = []

    def approve(request: ApprovalRequest) -> bool:
        approved.append(request)
        return True

    agent = rtagents.Agent(
        name="shop",
        tools=[order],
        approval=ApprovalPolicy(handler=approve),
        output_modalities=["text"],
    )
    turns = [CallFunction("order", {"items": ["tea"]}, call_id="c"), "Ordered."]
    record = await run_agent(agent, turns, "order tea", socket=True)
    assert record.outputs["c"] == "ordered 2"  # the tool ran
    [started] = record.of("tool.call.started")
    assert approved[0].arguments == {"items": ["tea"]}, approved[0].arguments
    assert started.arguments == {"items": ["tea"]}, started.arguments
