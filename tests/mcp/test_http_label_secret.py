"""Review: an MCP HTTP server's default label (``mcp/servers._http_label``) for a URL that
carries its secret in the path, as hosted MCP services do (Zapier's
``https://mcp.zapier.com/api/mcp/s/<secret>/mcp``: "treat it like a password"). The label
goes into events, spans and logs (and is not registered as a secret)."""

from __future__ import annotations

from rtagents.mcp import MCPServerHTTP

SECRET = "c2VjcmV0LXRva2VuLTEyMzQ1Njc4OTA"


def test_the_default_label_never_holds_a_path_secret() -> None:
    server = MCPServerHTTP(f"https://mcp.zapier.com/api/mcp/s/{SECRET}/mcp")
    assert SECRET[:16] not in server.name, server.name
