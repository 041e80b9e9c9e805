"""A hosted MCP server that goes away after listing its tools fails the call, not the
emulator's Realtime connection.

docs/emulator.md: hosted MCP "approvals; calls ... like the real server"; docs/mcp.md: "you can
test a hosted setup offline against a local MCP server". The real server answers a call to a
hosted MCP server that went away with a failed ``mcp_call`` and goes on. The emulator holds each
hosted server's ``mcp`` client in a task of the connection's own task group
(``HostedMCPClients._hold``): when the MCP server's transport breaks, the client's task group
fails, that error leaves ``_hold``, fails the connection's task group, and the emulator ends the
Realtime connection (``EmulatorConnection.serve`` logs it at debug). The session sees a drop,
reconnects, and the answer the model owed after the failed call never comes.
"""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents.emulator import CallMCP, Emulator, ModelContext, ScriptedModel
from rtagents.mcp import HostedMCP

from .http_process import free_port, launch

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


def answer(ctx: ModelContext) -> str:
    parts = [
        item["output"] or f"error: {item['error']['type']}"
        for item in ctx.pending_outputs
        if item["type"] == "mcp_call"
    ]
    return "answer: " + (" | ".join(parts) or "nothing")


async def test_a_hosted_server_that_went_away_fails_its_call_and_the_connection_stays() -> None:
    port = free_port()
    process = launch(port)  # the notes server over streamable HTTP, in a process of its own
    try:
        hosted = HostedMCP(
            server_label="notes",
            server_url=f"http://127.0.0.1:{port}/mcp",
            require_approval="never",
        )
        agent = rtagents.Agent(name="h", tools=[hosted], output_modalities=["text"])
        model = ScriptedModel([CallMCP("notes", "lookup", {"key": "greeting"}), answer])
        seen: list[str] = []
        async with Emulator(model=model) as emu:
            async with rtagents.connect(agent, url=emu.url) as session:
                with anyio.fail_after(20):
                    async for event in session:
                        if event.type == "mcp_list_tools.completed":
                            break
                    else:
                        pytest.fail("the session ended before the event this loop waits for")
                process.kill()  # the MCP server goes away after it listed its tools
                process.wait()
                await session.send_text("what does the greeting say?")
                with anyio.fail_after(20):
                    async for event in session:
                        if event.type in ("response.mcp_call.failed", "session.reconnecting"):
                            seen.append(event.type)
                        if event.type == "session.reconnecting":
                            break
                        if event.type == "response.output_text.done":
                            seen.append(event.text)
                            break
                    else:
                        pytest.fail("the session ended before the event this loop waits for")
    finally:
        process.kill()
        process.wait()
    assert seen[0] == "response.mcp_call.failed"
    assert seen[1:] != ["session.reconnecting"], "the emulator dropped the Realtime connection"
    assert seen[1].startswith("answer: error: "), seen
