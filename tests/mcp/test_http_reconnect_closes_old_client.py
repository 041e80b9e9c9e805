"""An HTTP MCP server connected by hand (``await server.connect()``) that died is started
again by the next ``connect()``, as docs/mcp.md says; but the HTTP client of the dead
connection is never closed.

``MCPServer.connect`` closes a connection it finds dead by its ping, but one already found
dead (``_client`` None after ``_went_away``) goes straight to ``_open``: ``MCPServerHTTP._target``
then replaces ``self._http`` with a new client, and the old one (its pool, its event hooks
holding the server) is dropped without ``aclose`` (``_detach`` is only reached from
``close``). ``__aenter__`` closes such a connection first; ``connect`` does not. docs/mcp.md:
"each connection closing its own resources".
"""

from __future__ import annotations

import anyio
import pytest

from rtagents.mcp import MCPServerHTTP
from tests.mcp.http_process import free_port, launch

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


async def test_connect_after_the_server_died_closes_the_dead_connections_http_client() -> None:
    port = free_port()
    proc = launch(port)
    server = MCPServerHTTP(f"http://127.0.0.1:{port}/mcp", name="notes")
    try:
        await server.connect()
        old_http = server._http
        assert old_http is not None
        proc.kill()
        await anyio.to_thread.run_sync(proc.wait)
        with anyio.fail_after(15):  # its stream breaks, or the idle ping finds it
            while server.connected:
                await anyio.sleep(0.1)
        proc = launch(port)
        await server.connect()  # started again
        assert server.connected and server._http is not old_http
        # (It was left open.)
        assert old_http.is_closed, "the dead connection's HTTP client was never closed"
    finally:
        await server.close()
        proc.kill()
        await anyio.to_thread.run_sync(proc.wait)
