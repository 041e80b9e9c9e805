"""Rule broken: a connection's hosted MCP clients are closed with it
(``HostedMCPClients``: "``aclose()`` ends them all"), and the ``mcp`` client ends its
session on the server as it closes (``streamable_http_client(terminate_on_close=True)``: a
``DELETE`` with its ``Mcp-Session-Id``).

The emulator never ends them: ``EmulatorConnection.serve`` cancels the connection's task
group, and the clients' ``_hold`` tasks in it with it, before ``finally`` calls
``self._clients.close()``. Each client then exits under cancellation, and its ``DELETE`` is
cancelled before it is sent. Every emulator connection that used a hosted MCP server leaves
one session on that server (its transport, its tasks, its streams), which the ``mcp`` server
keeps until its idle timeout (30 minutes by default). A test suite, ``make demo`` or a
long-running ``rtagents emulator`` grows the app's MCP server by one session a
connection; a server with ``max_sessions`` starts refusing the emulator's later sessions.
"""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from mcp_types import ToolAnnotations

import rtagents
from rtagents.emulator import CallMCP, Emulator, ModelContext
from rtagents.mcp import HostedMCP
from rtagents.testing import mcp_server, serve_mcp_http

pytestmark = pytest.mark.anyio

CONNECTIONS = 5


class LookUp:
    """Each connection's turn: the hosted server's tool, then an answer from its output."""

    def respond(self, ctx: ModelContext) -> list[Any]:
        if ctx.pending_outputs:
            return [f"Found: {ctx.pending_outputs[0]['output']}"]
        return [CallMCP("notes", "lookup", {"key": "greeting"})]


async def test_closed_connections_end_their_hosted_mcp_sessions() -> None:
    server = mcp_server("notes")

    @server.tool(annotations=ToolAnnotations(read_only_hint=True))
    def lookup(key: str) -> str:
        """Read a note."""
        return f"the note {key}"

    async with serve_mcp_http(server) as url:
        hosted = HostedMCP(server_label="notes", server_url=url, require_approval="never")
        agent = rtagents.Agent(name="h", tools=[hosted], output_modalities=["text"])
        async with Emulator(model=LookUp(), record=0, keep_closed=1) as emu:
            for _ in range(CONNECTIONS):
                async with rtagents.connect(agent, url=emu.url) as session:
                    events = await session.ask("look it up")
                    assert "response.mcp_call.completed" in [e.type for e in events]
                with anyio.fail_after(5):
                    while not emu.last.closed.is_set():
                        await anyio.sleep(0.01)
            sessions = server.session_manager._server_instances  # the server's live sessions
            with anyio.move_on_after(3):  # (a DELETE on its way)
                while sessions:
                    await anyio.sleep(0.02)
            left = len(sessions)
    assert left == 0, (
        f"{left} MCP sessions left open on the server after {CONNECTIONS} emulator "
        "connections that used it had closed (one per connection, never sent DELETE)"
    )
