"""A second real MCP server for the tests, built with the ``mcp`` package: tools whose names
the Realtime API does not take, a result with a resource link, a tool that never answers (the
server answers all else), and one that stops the whole server for a while.

python odd_server.py   # stdio
"""

from __future__ import annotations

import sys
import time

import anyio
from mcp_types import ResourceLink, TextContent, ToolAnnotations

from rtagents.testing import mcp_server

server = mcp_server("odd")


# Two tools the API can only take as ``search_notes``: a filter keeps one or the other.
@server.tool(name="search.notes", annotations=ToolAnnotations(read_only_hint=True))
def search_dotted(query: str) -> str:
    """Search the notes (dotted name)."""
    return f"dotted: {query}"


@server.tool(name="search_notes", annotations=ToolAnnotations(read_only_hint=True))
def search_plain(query: str) -> str:
    """Search the notes (plain name)."""
    return f"plain: {query}"


@server.tool(annotations=ToolAnnotations(read_only_hint=True))
def report() -> list[TextContent | ResourceLink]:
    """Points at a report instead of returning it."""
    return [
        TextContent(text="the report is ready"),
        ResourceLink(name="q3-report", uri="file:///reports/q3.pdf", mime_type="application/pdf"),
    ]


@server.tool(annotations=ToolAnnotations(read_only_hint=True))
async def hang() -> str:
    """Never answers."""
    await anyio.sleep_forever()
    return "unreachable"


@server.tool(annotations=ToolAnnotations(read_only_hint=True))
async def block(seconds: float) -> str:
    """Blocks the server's event loop: it reads and answers nothing (a ping neither) meanwhile."""
    time.sleep(seconds)  # noqa: ASYNC251 - the point: a server stuck, not a slow tool
    return "unblocked"


@server.tool(annotations=ToolAnnotations(read_only_hint=True))
def ping_me() -> str:
    """Answers at once."""
    return "pong"


if __name__ == "__main__":
    sys.exit(server.run("stdio"))
