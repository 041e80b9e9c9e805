"""What the session tells its neighbours through public seams: whether an agent's MCP
server is connected, and which tool calls a session that timed out was waiting for."""

from __future__ import annotations

import sys

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.mcp import MCPServerStdio
from rtagents.testing import run_session
from tests.mcp.servers import NOTES_SERVER

pytestmark = pytest.mark.anyio


async def test_update_agent_refuses_an_mcp_server_not_connected() -> None:
    server = MCPServerStdio(sys.executable, [NOTES_SERVER], name="notes")
    plain = rtagents.Agent(name="plain", output_modalities=["text"])
    async with Emulator() as emu, rtagents.connect(plain, transport=emu.transport()) as session:
        with pytest.raises(RuntimeError, match="MCP server 'notes' of agent 'notes' is not"):
            await session.update_agent(rtagents.Agent(name="notes", tools=[server]))
        assert session.agent is plain and session.closed_reason is None  # nothing lost
        async with server:
            assert server.connected
            await session.update_agent(rtagents.Agent(name="notes", tools=[server]))
            assert "lookup" in session.tools
        assert not server.connected


@rtagents.tool
async def slow_lookup(query: str) -> str:
    """Never answers in time."""
    await anyio.sleep(30)
    return query


async def test_a_run_that_times_out_names_the_tool_call_still_running() -> None:
    agent = rtagents.Agent(name="slow", tools=[slow_lookup], output_modalities=["text"])
    model = ScriptedModel([CallFunction("slow_lookup", {"query": "x"}, call_id="call_7")])

    async def drive(session: rtagents.RealtimeSession, emu: Emulator) -> None:
        await session.send_text("look it up")

    with pytest.raises(TimeoutError, match=r"the tool call slow_lookup \(call_7\) to finish"):
        await run_session(agent, model, drive, until=lambda r: False, within=1, socket=True)
