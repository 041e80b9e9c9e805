"""Secrets of a local MCP server (a URL's password) never appear in its repr, its label, or
what the label reaches (events, approval requests, spans)."""

from __future__ import annotations

import pytest

from rtagents.mcp import MCPServerHTTP


@pytest.mark.parametrize(
    "url",
    [
        "https://alice:hunter2secret@mcp.example.com",
        "http://alice:hunter2secret@127.0.0.1:8931/",
    ],
)
def test_the_default_label_of_an_http_server_never_holds_the_urls_password(url: str) -> None:
    server = MCPServerHTTP(url)
    assert "hunter2secret" not in repr(server)
    assert "hunter2secret" not in server.name  # shown in events, approvals, span attributes


@pytest.mark.anyio
async def test_a_header_token_with_a_trailing_newline_never_shows_in_the_connect_error() -> None:
    # A token read from a file ends in a newline. An MCP header's value is stripped as the
    # API key is (``credential``); sent as it is, httpx would refuse it, quoting the value.
    import traceback

    from rtagents.mcp import MCPConnectError
    from tests.mcp.servers import http_notes_server

    token = "tok-abcdef123456"
    message = shown = ""
    async with http_notes_server() as url:
        server = MCPServerHTTP(
            url, headers={"Authorization": f"Bearer {token}\n"}, name="n", connect_timeout=3
        )
        try:
            async with server:
                pass  # connected (the value stripped, as connect() does with the API key)
        except MCPConnectError as exc:
            message, shown = str(exc), "".join(traceback.format_exception(exc))
    assert token not in message, "the token is in the MCPConnectError's message"
    assert token not in shown, "the token is in the MCPConnectError's traceback"
