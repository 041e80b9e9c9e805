"""A tool that returns a ``str`` subclass (a ``(str, Enum)`` member, the common way to type a
status) must give the model the same text whether the tool is sync or async: the string's
value, as for any ``str`` ("a str: the string as it is")."""

from __future__ import annotations

import enum

import pytest

import rtagents
from rtagents.emulator import CallFunction
from rtagents.testing import run_agent

pytestmark = pytest.mark.anyio


class Status(str, enum.Enum):
    OPEN = "open"


@rtagents.tool
def status_sync() -> Status:
    """The ticket's status."""
    return Status.OPEN


@rtagents.tool
async def status_async() -> Status:
    """The ticket's status."""
    return Status.OPEN


async def test_a_str_enum_result_reads_the_same_from_a_sync_and_an_async_tool() -> None:
    agent = rtagents.Agent(
        name="desk", tools=[status_sync, status_async], output_modalities=["text"]
    )
    calls = [
        CallFunction("status_sync", {}, call_id="call_sync"),
        CallFunction("status_async", {}, call_id="call_async"),
    ]
    record = await run_agent(agent, [calls, "It is open."], "status?", socket=True)
    outputs = record.outputs
    # Both give the string's value, "open", never str() of the member ("Status.OPEN").
    assert outputs["call_sync"] == outputs["call_async"] == "open", outputs
