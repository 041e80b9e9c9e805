"""An ``@`` in a URL's query (``?user=bob@example.com``, an e-mail address a gateway keys a
caller by) after a ``:`` (a port, ``[::1]``, ``t=12:00``) is read by ``_user_part`` as the end
of a ``user:password@`` part: everything after the last ``@`` is taken as the host, and the
query that follows it, token included, is neither cut by ``redact_url`` (errors, reprs,
events) nor held by ``url_secrets``. Before 0913e59, ``redact_url`` cut the query first. (A server's
echo of the token: ``test_url_token_echoed``.)"""

from __future__ import annotations

import socket

import anyio
import pytest

import rtagents
from rtagents.errors import ConnectError
from rtagents.mcp import HostedMCP, MCPServerHTTP

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
