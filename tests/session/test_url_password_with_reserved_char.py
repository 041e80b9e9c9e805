"""A URL's password is never shown ("without a password (``user:password@``)", ``redact_url``).
A password holding a character a URL reserves (``#``, ``/``, ``?``), written as is, not
percent-encoded, makes the URL parse with the password as its *port*: ``connect`` then
refuses it with a ``ConnectError`` that repeats the URL cut at the ``#`` (password included)
and the parser's own words, which quote the port (the password). The reprs of
``MCPServerHTTP`` and ``HostedMCP`` show it the same way, through ``redact_url``."""

from __future__ import annotations

import pytest

import rtagents
from rtagents.errors import ConnectError
from rtagents.mcp import HostedMCP, MCPServerHTTP

pytestmark = pytest.mark.anyio
PASSWORD = "Sup3rS3cret"


@pytest.mark.parametrize("mark", ["#", "/", "?"])
async def test_connect_refuses_the_url_without_repeating_its_password(mark: str) -> None:
    url = f"wss://alice:{PASSWORD}{mark}99@proxy.example/v1/realtime"
    with pytest.raises(ConnectError) as caught:
        async with rtagents.connect(rtagents.Agent(name="a"), url=url, reconnect=None):
            pass
    assert PASSWORD not in str(caught.value), str(caught.value)


def test_mcp_reprs_never_show_the_password() -> None:
    url = f"https://alice:{PASSWORD}#99@mcp.example.com/mcp"
    with pytest.raises(ValueError) as caught:  # refused as it is made: httpx would refuse it
        MCPServerHTTP(url, name="m")
    assert PASSWORD not in str(caught.value) and "%-escaped" in str(caught.value)
    hosted = HostedMCP("docs", server_url=url)
    assert PASSWORD not in repr(hosted), repr(hosted)
