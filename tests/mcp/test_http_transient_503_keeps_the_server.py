"""An HTTP MCP server whose call its proxy refuses with a 503 (a rolling deploy, a load
balancer's blip) is unavailable for that call, and only that call: its connection is kept, and
the next call goes through once the server answers again. (Dropped at the first 503, every
later call of the session lost its server: nothing in a session reconnects it.)"""

from __future__ import annotations

from typing import Any

import pytest

from rtagents.mcp import MCPServerHTTP
from rtagents.mcp.errors import MCPServerUnavailable
from rtagents.testing import serve_mcp_http
from tests.mcp import notes_server

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


class OneBlip:
    """The notes server behind a proxy that answers one tool call's POST with a 503."""

    def __init__(self) -> None:
        self.blips = 0

    def streamable_http_app(self) -> Any:
        inner = notes_server.server.streamable_http_app()

        async def app(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http" and self.blips and scope["method"] == "POST":
                self.blips -= 1
                headers = [(b"content-type", b"text/html")]
                await send({"type": "http.response.start", "status": 503, "headers": headers})
                await send({"type": "http.response.body", "body": b"<h1>503</h1>"})
                return
            await inner(scope, receive, send)

        return app


async def test_a_single_503_does_not_disconnect_a_server_that_answers_again() -> None:
    proxy = OneBlip()
    async with serve_mcp_http(proxy) as url:
        server = MCPServerHTTP(url, name="notes", needs_approval=False)
        async with server:
            ok = await server.call_tool("lookup", {"key": "greeting"}, 10)
            assert not ok.is_error
            proxy.blips = 1
            with pytest.raises(MCPServerUnavailable, match="HTTP 503"):
                await server.call_tool("lookup", {"key": "greeting"}, 10)
            assert proxy.blips == 0  # the server is back
            try:
                again = await server.call_tool("lookup", {"key": "greeting"}, 10)
            except MCPServerUnavailable as exc:
                pytest.fail(f"the server answers again, but every call is refused: {exc}")
            assert not again.is_error
