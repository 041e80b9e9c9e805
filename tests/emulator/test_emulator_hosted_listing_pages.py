"""The emulator's hosted MCP lists only the first page of a server's ``tools/list``.

``HostedMCPClients.list_tools`` (rtagents/emulator/mcp_clients.py) calls
``client.list_tools()`` once; the mcp client returns one page and its ``next_cursor``,
which is never followed. A hosted MCP server whose tools span pages has the later ones
missing from the ``mcp_list_tools`` item, from ``session.hosted_tools`` (so their
``readOnlyHint`` is unknown to the approval policy) and from what the model is offered.
(Local servers page through every cursor: ``MCPServer.refresh``.)
"""

from __future__ import annotations

import logging
from typing import Any

import anyio
import pytest
from mcp.server.mcpserver import MCPServer
from mcp_types import ListToolsResult

import rtagents
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.mcp import HostedMCP
from rtagents.testing import serve_mcp_http

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


class Paged(MCPServer):
    """A real MCP server whose tools/list gives one tool a page: ``first``, then ``second``."""

    async def _handle_list_tools(self, ctx: Any, params: Any) -> ListToolsResult:
        tools = await self.list_tools()
        cursor = getattr(params, "cursor", None) if params is not None else None
        if cursor is None:
            return ListToolsResult(tools=[t for t in tools if t.name == "first"], next_cursor="p2")
        return ListToolsResult(tools=[t for t in tools if t.name == "second"])


def paged_server() -> Paged:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        server = Paged("paged")  # (it calls logging.basicConfig: put back as it was)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)

    @server.tool()
    def first() -> str:
        """The tool of page one."""
        return "one"

    @server.tool()
    def second() -> str:
        """The tool of page two."""
        return "two"

    return server


async def test_a_hosted_server_whose_tools_span_pages_is_listed_whole() -> None:
    async with serve_mcp_http(paged_server()) as url:
        agent = rtagents.Agent(
            name="h",
            tools=[HostedMCP(server_label="paged", server_url=url, require_approval="never")],
            output_modalities=["text"],
        )
        async with Emulator(model=ScriptedModel(["hi"])) as emu:
            async with rtagents.connect(agent, transport=emu.transport()) as session:
                with anyio.fail_after(15):
                    async for event in session:
                        if event.type.startswith("mcp_list_tools.") and event.type != (
                            "mcp_list_tools.in_progress"
                        ):
                            break
                    else:
                        pytest.fail("the session ended before the listing did")
                    while "paged" not in session.hosted_tools:
                        await anyio.sleep(0.05)
                names = sorted(t.name for t in session.hosted_tools["paged"])
    assert names == ["first", "second"], f"the hosted listing has only {names}"
