"""``deny(read_only=False)`` should stop every MCP tool that is not read-only. In MCP a tool's
``readOnlyHint`` defaults to false (a tool without annotations may write), and rtagents
itself treats an unannotated tool as not read-only where it decides whether to ask
(``needs_approval="unless_read_only"`` asks for it). But ``Rule.matches`` compares
``request.read_only is not self.read_only``: an unannotated tool has ``read_only=None``, so
the deny skips it and the next rule (here ``allow(server="notes")``) approves it. Most MCP
servers' tools carry no annotations at all."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy, allow, deny
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.mcp import MCPServerHTTP
from tests.mcp.servers import http_notes_server

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]


async def test_a_deny_of_tools_not_read_only_stops_an_unannotated_tool() -> None:
    policy = ApprovalPolicy(
        rules=[deny(read_only=False, reason="no writes"), allow(server="notes")], timeout=5
    )
    decided, outcome = [], []
    async with http_notes_server() as url:
        server = MCPServerHTTP(url, name="notes")
        agent = rtagents.Agent(
            name="a", tools=[server], approval=policy, output_modalities=["text"]
        )
        # ``explode`` has no annotations (it raises when it runs, so running it is visible).
        model = ScriptedModel([CallFunction("explode", {}, call_id="x"), "ok"])
        async with server, Emulator(model=model) as emu:
            async with rtagents.connect(agent, transport=emu.transport()) as session:
                assert session.tools.get("explode").read_only is None
                await session.send_text("go")
                with anyio.fail_after(20):
                    async for event in session:
                        if event.type == "approval.decided":
                            decided.append((event.approve, event.decided_by, event.reason))
                        if event.type == "tool.call.failed":
                            outcome.append(event.kind)
                            break
                        if event.type == "tool.call.completed":
                            outcome.append("ran")
                            break
                    else:
                        pytest.fail("the session ended before the call was answered")
    assert decided == [(False, "rule", "no writes")]
    assert outcome == ["denied"]
