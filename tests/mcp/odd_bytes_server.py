"""A stdio MCP server for the review tests (mcp package only)."""

from __future__ import annotations

import os
import sys

import anyio
from mcp.server.mcpserver import MCPServer
from mcp_types import ToolAnnotations

server = MCPServer("rev")
PROTOCOL_FD = os.dup(1)  # the protocol's pipe, whatever the server does with sys.stdout
RO = ToolAnnotations(read_only_hint=True)


@server.tool(annotations=RO)
def noisy() -> str:
    """Writes garbage to stdout (a stray print), then answers."""
    os.write(PROTOCOL_FD, b"this is not json\n")
    return "noisy ok"


@server.tool(annotations=RO)
def binary() -> str:
    """Writes bytes that are not UTF-8 to stdout (a stray binary print), then answers."""
    os.write(PROTOCOL_FD, b"\xff\xfe garbage\n")
    return "binary ok"


@server.tool(annotations=RO)
def pid() -> str:
    """The process id."""
    return str(os.getpid())


@server.tool(annotations=RO)
def leak() -> str:
    """Fails quoting the token it was given."""
    raise ValueError(f"token {os.environ.get('REV_TOKEN')} rejected")


@server.tool(annotations=RO)
async def slow(seconds: float) -> str:
    """Answers after a while."""
    await anyio.sleep(seconds)
    return "slow ok"


@server.tool(annotations=RO)
def crash() -> str:
    """Ends the process."""
    os._exit(1)


if __name__ == "__main__":
    if "--quiet-start" in sys.argv:  # never answers initialize
        import time

        time.sleep(3600)
    server.run("stdio")
