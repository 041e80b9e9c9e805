"""An ``@`` in a URL's query (``?user=bob@example.com``, an e-mail address a gateway keys a
caller by) after a ``:`` (a port, ``[::1]``, ``t=12:00``) is read by ``_user_part`` as the end
of a ``user:password@`` part: everything after the last ``@`` is taken as the host, and the
query that follows it, token included, is neither cut by ``redact_url`` (errors, reprs,
events) nor held by ``url_secrets``. Before 0913e59, ``redact_url`` cut the query first."""

from __future__ import annotations

import socket
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.errors import ConnectError
from rtagents.mcp import HostedMCP, MCPServerHTTP
from tests.session.hostile import hostile_server

pytestmark = pytest.mark.anyio
TOKEN = "gw-token-9f8e7d6c5b4a"
QUERY = f"?user=bob@example.com&token={TOKEN}"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_a_refused_connect_never_shows_the_query_token() -> None:
    url = f"ws://127.0.0.1:{_closed_port()}/v1/realtime{QUERY}"
    with pytest.raises(ConnectError) as caught:
        with anyio.fail_after(15):
            async with rtagents.connect(rtagents.Agent(name="a"), url=url, reconnect=None):
                pass
    assert TOKEN not in str(caught.value), str(caught.value)


def test_mcp_reprs_never_show_the_query_token() -> None:
    url = f"http://127.0.0.1:8000/mcp{QUERY}"
    assert TOKEN not in repr(MCPServerHTTP(url, name="m")), repr(MCPServerHTTP(url, name="m"))
    hosted = HostedMCP("docs", server_url=url)
    assert TOKEN not in repr(hosted), repr(hosted)


async def test_a_url_token_echoed_in_a_close_reason_stays_secret() -> None:
    """The token is one of the session's secrets (failures.md), whatever else the query holds."""
    events: list[Any] = []
    async with hostile_server() as server:
        with anyio.fail_after(15):
            async with rtagents.connect(
                rtagents.Agent(name="h"), url=f"{server.url}{QUERY}", reconnect=None
            ) as session:
                session.on("*")(events.append)
                await server.close(1008, f"token {TOKEN} is revoked")
                async for event in session:
                    if event.type == "session.closed":
                        break
                else:
                    pytest.fail("the stream ended without session.closed")
    closed = [e for e in events if e.type == "session.closed"]
    assert closed and "revoked" in closed[0].reason
    assert TOKEN not in closed[0].reason, closed[0].reason
