"""A streamable-HTTP MCP server that restarts (a deploy, a crash under a supervisor) is no
longer reached through the session it forgot, yet the session's calls are told as if the
server had answered them.

docs/mcp.md: "A server that dies, or whose connection breaks, gives its calls `unavailable`
outputs, and an `mcp.server.failed` event is emitted." The MCP spec (streamable HTTP): a
client that gets HTTP 404 for its ``Mcp-Session-Id`` MUST start a new session. Today every
later call fails with ``MCPError: Session not found`` as an ordinary tool error ("try
another way"), for as long as the session lasts: no new MCP session, no ``unavailable``, no
``mcp.server.failed`` (``MCPServer.call_tool`` takes the 404 for an answer of a live
server: ``is_transport_failure`` knows only a closed connection).
"""

from __future__ import annotations

import json

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.mcp import MCPServerHTTP
from tests.mcp.http_process import free_port, launch

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


async def test_calls_after_the_server_restarted() -> None:
    port = free_port()
    proc = launch(port)
    server = MCPServerHTTP(f"http://127.0.0.1:{port}/mcp", name="notes")
    agent = rtagents.Agent(name="a", tools=[server], output_modalities=["text"])
    turns = [
        CallFunction("lookup", {"key": "greeting"}, call_id="before"),
        "one",
        CallFunction("lookup", {"key": "greeting"}, call_id="after"),
        "two",
    ]
    events = []
    try:
        async with Emulator(model=ScriptedModel(turns)) as emu:
            async with rtagents.connect(agent, transport=emu.transport()) as session:
                events += await session.ask("look it up")
                # It goes (a crash: a graceful stop would wait on our open stream), waited
                # for off the loop, which must go on serving that stream meanwhile.
                proc.kill()
                await anyio.to_thread.run_sync(proc.wait)
                proc = launch(port)  # the same server again, on the same URL
                events += await session.ask("look it up again")
    finally:
        proc.kill()
        await anyio.to_thread.run_sync(proc.wait)
    outputs = {
        e.call_id: e.output for e in events if e.type in ("tool.call.completed", "tool.call.failed")
    }
    assert outputs["before"] == "hello from MCP"
    if outputs["after"] == "hello from MCP":
        return  # a new MCP session was started, as the spec says
    failed = [e for e in events if e.type == "mcp.server.failed"]
    assert json.loads(outputs["after"])["error"] == "unavailable" and failed, outputs["after"]
