"""The tools a session runs: function tools and the tools of local MCP servers, merged."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import AsyncExitStack

from ..mcp import MCPServer
from ..tools import BaseTool, DuplicateToolError, Toolset

log = logging.getLogger("rtagents.session")


async def connect_servers(stack: AsyncExitStack, servers: Sequence[MCPServer]) -> None:
    """Connect in order; the stack closes them in reverse order when the session ends."""
    for server in servers:
        await stack.enter_async_context(server)


def merge(
    name: str,
    function_tools: Toolset,
    servers: Sequence[MCPServer],
    handoffs: Sequence[BaseTool] = (),
) -> tuple[Toolset, list[str]]:
    """One toolset: the function tools, the transfer tools of the agent's ``handoffs``, and
    the MCP servers' tools. Names are kept; an MCP tool whose name is taken is renamed
    ``{server}_{name}`` (a warning says so), and a clash after that is an error."""
    merged = Toolset(name, [function_tools, *handoffs])
    notes: list[str] = []
    for server in servers:
        for tool in server.toolset():
            if tool.name in merged:
                renamed = f"{server.name}_{tool.name}"[:64]
                if renamed in merged:
                    raise DuplicateToolError(
                        f"MCP server {server.name!r} has a tool {tool.name!r} that clashes even when renamed to {renamed!r}"
                    )
                notes.append(
                    f"MCP server {server.name!r}: tool {tool.name!r} is offered as {renamed!r} (the name was taken)"
                )
                tool = tool.renamed(renamed)
            merged.add(tool)
    for note in notes:
        log.warning(note)
    return merged, notes
