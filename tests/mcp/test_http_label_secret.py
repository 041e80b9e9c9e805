"""An MCP HTTP server's default label (``mcp/servers._http_label``) never holds a secret carried
in the URL's path. Hosted MCP services put their secret there (Zapier's
``https://mcp.zapier.com/api/mcp/s/<secret>/mcp``: "treat it like a password"). The label goes
into events, spans and logs, and is not registered as a secret, so a label taken from the path
would leak the secret to all of them."""

from __future__ import annotations

from rtagents.mcp import MCPServerHTTP

SECRET = "c2VjcmV0LXRva2VuLTEyMzQ1Njc4OTA"


def test_the_default_label_never_holds_a_path_secret() -> None:
    server = MCPServerHTTP(f"https://mcp.zapier.com/api/mcp/s/{SECRET}/mcp")
    assert SECRET[:16] not in server.name, server.name
