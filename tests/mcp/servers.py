"""The test MCP servers' scripts, and the notes server over streamable HTTP on loopback."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from pathlib import Path

from rtagents.testing import serve_mcp_http

NOTES_SERVER = str(Path(__file__).with_name("notes_server.py"))
ODD_SERVER = str(Path(__file__).with_name("odd_server.py"))
STUBBORN_SERVER = str(Path(__file__).with_name("stubborn_server.py"))  # outlives its stdin
LATER_SERVER = str(Path(__file__).with_name("later_server.py"))  # its tools change later
NAMES_SERVER = str(Path(__file__).with_name("names_server.py"))  # a name past 64 characters


def http_notes_server() -> AbstractAsyncContextManager[str]:
    """Serve ``notes_server`` at ``http://127.0.0.1:PORT/mcp``; yields that URL."""
    from . import notes_server

    return serve_mcp_http(notes_server.server)
