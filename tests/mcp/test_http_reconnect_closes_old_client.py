"""An HTTP MCP server connected by hand (``await server.connect()``) that died is started
again by the next ``connect()``, as docs/mcp.md says, and the dead connection's HTTP client
is closed first ("each connection closing its own resources"): it was dropped unclosed when
the death was found before (the connection no longer ``connected``), not by ``connect``'s
own ping."""

from __future__ import annotations

import anyio
import pytest

from rtagents.mcp import MCPServerHTTP, local
from tests.mcp.http_process import free_port, launch

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


async def test_connect_after_the_server_died_closes_the_dead_connections_http_client(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(local, "IDLE_PING_S", 0.2)  # its death is found at once
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
        assert old_http.is_closed, "the dead connection's HTTP client was never closed"
    finally:
        await server.close()
        proc.kill()
        await anyio.to_thread.run_sync(proc.wait)
