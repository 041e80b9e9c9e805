"""A real MCP server for the tests, built with the ``mcp`` package.

python notes_server.py            # stdio
python notes_server.py --slow-list   # stdio, never answering tools/list
"""

from __future__ import annotations

import sys
from typing import Any

from mcp.server.mcpserver import Context
from mcp_types import ToolAnnotations

from rtagents.testing import mcp_server

server = mcp_server("notes")
NOTES: dict[str, str] = {"greeting": "hello from MCP"}


@server.tool(annotations=ToolAnnotations(read_only_hint=True))
def lookup(key: str) -> str:
    """Read a note."""
    return NOTES.get(key, f"no note named {key}")


@server.tool(annotations=ToolAnnotations(read_only_hint=False))
def write_note(key: str, text: str) -> str:
    """Write a note."""
    NOTES[key] = text
    return f"saved {key}"


@server.tool()
def explode() -> str:
    """Always fails."""
    raise ValueError("kaboom")


@server.tool()
async def learn_trick(ctx: Context[Any, Any]) -> str:
    """Adds a tool, and tells the client its tools changed."""

    def juggle(balls: int) -> str:
        """Juggle some balls."""
        return f"juggling {balls}"

    server.add_tool(juggle, annotations=ToolAnnotations(read_only_hint=True))
    await ctx.session.send_tool_list_changed()
    return "learned to juggle"


@server.tool()
async def ruffle(times: int, ctx: Context[Any, Any]) -> str:
    """Tells the client its tools changed, ``times`` times over (they did not)."""
    for _ in range(times):
        await ctx.session.send_tool_list_changed()
    return f"ruffled {times}"


@server.tool()
def crash() -> str:
    """Kills the server process (to test a dying server)."""
    import os

    os._exit(1)


if __name__ == "__main__":
    if "--slow-list" in sys.argv:  # the handshake completes; the listing never does

        async def never() -> Any:
            import anyio

            await anyio.sleep_forever()

        server.list_tools = never  # type: ignore[method-assign]
    sys.exit(server.run("stdio"))
