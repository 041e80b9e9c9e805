"""The tools a session runs: function tools and the tools of local MCP servers, merged."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import AsyncExitStack
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

from ..mcp import MCPServer
from ..mcp.tools import api_name
from ..tools import BaseTool, DuplicateToolError, Toolset

if TYPE_CHECKING:
    from ..agent import ToolSources

log = logging.getLogger("rtagents.session")


async def connect_servers(stack: AsyncExitStack, servers: Sequence[MCPServer]) -> None:
    """Connect in order; the stack closes them in reverse order when the session ends."""
    for server in servers:
        await stack.enter_async_context(server)


def merge(
    name: str,
    sources: ToolSources,
    handoffs: Sequence[BaseTool] = (),
    *,
    quiet: bool = False,
    offered: Toolset | None = None,
) -> tuple[Toolset, list[str]]:
    """One toolset: the function tools, the transfer tools of the agent's ``handoffs``, and
    the MCP servers' tools. Names are kept; an MCP tool whose name is taken is renamed
    ``{server}_{name}`` (a warning says so, logged unless ``quiet``: a check before a
    handoff), and a clash after that is an error. With ``offered`` (the toolset a relisting
    replaces), a server's tool keeps the name it was offered under: a tool a server lists
    anew never takes it (the model's next call by that name, and a rule written for it,
    mean the tool it named), whatever order the servers come in."""
    merged = Toolset(name, [sources.functions, *handoffs])
    was = {(t.server_label, t.server_tool_name): t.name for t in offered or () if t.server_label}
    notes: list[str] = []
    listed: list[tuple[MCPServer, BaseTool]] = []
    for server in sources.servers:
        notes.extend(_keeping_nothing(server))
        for tool in server.toolset():
            kept = was.get((server.name, tool.server_tool_name))
            if kept is not None and kept not in merged:
                merged.add(tool if kept == tool.name else tool.renamed(kept))
            else:
                listed.append((server, tool))
    for server, tool in listed:
        if tool.name in merged:
            renamed = api_name(f"{server.name}_{tool.name}")  # (a label "crm.v2", say)
            if renamed in merged:
                raise DuplicateToolError(
                    f"MCP server {server.name!r} has a tool {tool.name!r} that clashes even when renamed to {renamed!r}"
                )
            notes.append(
                f"MCP server {server.name!r}: tool {tool.name!r} is offered as {renamed!r} (the name was taken)"
            )
            tool = tool.renamed(renamed)
        merged.add(tool)
    for note in () if quiet else notes:
        log.warning(note)
    return merged, notes


def _keeping_nothing(server: MCPServer) -> list[str]:
    """A warning for each ``allowed_tools`` pattern that keeps none of ``server``'s tools:
    patterns match the server's own names, and one written for a name as the API takes it
    (``fs_read`` for ``fs.read``) would leave the tool out without a word."""
    names = [tool.name for tool in server.listed]
    return [
        f"MCP server {server.name!r}: allowed_tools pattern {pattern!r} matches none of its "
        "tools (patterns match the server's own names)"
        for pattern in server.allowed_tools or ()
        if not any(fnmatchcase(name, pattern) for name in names)
    ]
