"""Hosted MCP services put their secret in the URL's path (Zapier's
``https://mcp.zapier.com/api/mcp/s/<secret>/mcp``, "treat it like a password"). rtagents knows
it: an ``MCPServerHTTP``'s default label is the host, "never its path, which may hold a token"
(mcp.md), and failures.md says the values passed "in an MCP server's URL" are "redacted
wherever they appear". But only the URL's password and query values are held as secrets
(``url_secrets``), and ``redact_url`` keeps the path: the server's repr shows the secret, and
so does every request line httpx logs at INFO while the server is used."""

from __future__ import annotations

import anyio
import pytest

from rtagents.mcp import MCPServerHTTP
from rtagents.testing import serve_asgi

from . import notes_server

pytestmark = pytest.mark.anyio
SECRET = "c2VjcmV0LXRva2VuLTEyMzQ1Njc4OTA"
PATH = f"/api/mcp/s/{SECRET}/mcp"


def test_the_repr_never_shows_a_path_secret() -> None:
    server = MCPServerHTTP(f"https://mcp.zapier.com{PATH}")
    assert SECRET not in repr(server), repr(server)


async def test_the_logs_never_show_a_path_secret(log_lines: list[str]) -> None:
    app = notes_server.server.streamable_http_app(streamable_http_path=PATH)
    async with serve_asgi(app) as url:
        server = MCPServerHTTP(f"{url}{PATH}", connect_timeout=5)
        with anyio.fail_after(15):
            async with server:
                assert "lookup" in [tool.name for tool in server.listed]
    leaked = [line for line in log_lines if SECRET in line]
    assert leaked == [], leaked[:2]
