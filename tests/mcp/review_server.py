"""A real MCP server for the review tests, built with the ``mcp`` package (no rtagents import).

python review_server.py   # stdio
"""

from __future__ import annotations

import base64
import os
import sys

from mcp.server.mcpserver import MCPServer
from mcp_types import (
    BlobResourceContents,
    CallToolResult,
    EmbeddedResource,
    ImageContent,
    TextContent,
    ToolAnnotations,
)

server = MCPServer("review")
RO = ToolAnnotations(read_only_hint=True)


@server.tool(annotations=RO)
def pid() -> str:
    """This server's process id."""
    return str(os.getpid())


@server.tool(annotations=RO)
def lookup(key: str) -> str:
    """Read a note."""
    return f"note {key}"


@server.tool(annotations=RO)
def pdf() -> list[TextContent | EmbeddedResource]:
    """An embedded PDF (a blob the model cannot read)."""
    return [
        EmbeddedResource(
            resource=BlobResourceContents(
                uri="file:///q3.pdf",
                mime_type="application/pdf",
                blob=base64.b64encode(b"%PDF-1.4").decode(),
            )
        )
    ]


@server.tool(annotations=RO)
def failing_image() -> CallToolResult:
    """Fails, with only an image to show for it."""
    return CallToolResult(
        content=[ImageContent(data=base64.b64encode(b"png").decode(), mime_type="image/png")],
        is_error=True,
    )


@server.tool(annotations=RO)
def query(sql: str) -> str:
    """Runs a query; its database just went away (an error the server answers with)."""
    from mcp.shared.exceptions import MCPError

    raise MCPError(code=-32603, message="database error: Connection closed by peer")


if __name__ == "__main__":
    sys.exit(server.run("stdio"))
