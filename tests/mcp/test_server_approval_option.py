"""``needs_approval=`` of a local MCP server takes ``"unless_read_only"``, ``True``, ``False``
or a per-call check. Another value (HostedMCP's ``"always"``, say) must be refused when the
server is made, as ``@tool(needs_approval=...)`` refuses it: not taken as a check that
raises on every call, which denies even what an allow rule approves."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import rtagents
from rtagents.emulator import CallFunction
from rtagents.mcp import MCPServerStdio
from tests.mcp.test_error_answers import converse, echo

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]

REVIEW_SERVER = str(Path(__file__).with_name("review_server.py"))


async def test_a_needs_approval_value_it_does_not_take_is_refused_when_made() -> None:
    try:
        server = MCPServerStdio(sys.executable, [REVIEW_SERVER], name="rv", needs_approval="always")
    except (TypeError, ValueError):
        return  # refused when made: what @tool does
    agent = rtagents.Agent(
        name="r",
        tools=[server],
        approval=rtagents.ApprovalPolicy(rules=[rtagents.allow(server="rv")]),
        output_modalities=["text"],
    )
    _, outputs = await converse(agent, [CallFunction("lookup", {"key": "k"}, call_id="l"), echo])
    assert outputs["l"] == "note k", f"an allowed call was denied: {outputs['l']}"
