"""One shape for a call's arguments in events: ``arguments`` is the dict the tool receives
(as an approval request has it), ``arguments_json`` the text the model sent."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

import rtagents
from rtagents import ApprovalPolicy, ApprovalRequest
from rtagents.emulator import CallFunction
from rtagents.testing import run_agent

pytestmark = pytest.mark.anyio


@rtagents.tool(needs_approval=True)
def book(day: datetime.date, people: int, outdoor: bool = False) -> str:
    """Book a table."""
    return f"booked {people} on {day.isoformat()}"


SENT = '{"day": "2026-12-24", "people": 4, "outdoor": "false"}'


async def test_started_has_the_arguments_the_tool_and_the_approval_get() -> None:
    requests: list[ApprovalRequest] = []

    def approve(request: ApprovalRequest) -> bool:
        requests.append(request)
        return True

    agent = rtagents.Agent(
        name="desk",
        tools=[book],
        approval=ApprovalPolicy(handler=approve),
        output_modalities=["text"],
    )
    record = await run_agent(agent, [CallFunction("book", SENT), "Booked."], "book", socket=True)
    [started] = record.of("tool.call.started")
    expected: dict[str, Any] = {"day": datetime.date(2026, 12, 24), "people": 4, "outdoor": False}
    assert started.arguments == expected == requests[0].arguments
    assert started.arguments_json == SENT
    assert record.outputs[started.call_id] == "booked 4 on 2026-12-24"


async def test_a_call_that_failed_before_it_started_keeps_the_text_sent() -> None:
    agent = rtagents.Agent(name="desk", tools=[book], output_modalities=["text"])
    bad = '{"day": "someday"'
    record = await run_agent(agent, [CallFunction("book", bad), "Sorry."], "book", socket=True)
    assert record.of("tool.call.started") == []
    [failed] = record.of("tool.call.failed")
    assert failed.kind == "invalid_arguments" and failed.arguments_json == bad
