"""URL tokens and URL passwords never appear in exception messages: an ``MCPServerHTTP``
given a URL it refuses (no scheme, or not http(s)) says so without repeating the URL's
query or password, as ``connect`` (``ConnectError``, ``redact_url``) and ``HostedMCP``
("server_url must be an http(s) URL") already do. A message is printed, logged and sent
to error trackers; the token in it leaks with it."""

from __future__ import annotations

import pytest

from rtagents.mcp import MCPServerHTTP

TOKEN = "mcp-url-token-secret-3317"
PASSWORD = "mcp-url-password-secret-8842"


@pytest.mark.parametrize(
    "url",
    [
        f"127.0.0.1:8000/mcp?token={TOKEN}",  # the scheme forgotten
        f"ws://user:{PASSWORD}@mcp.example.com/mcp?token={TOKEN}",  # a websocket URL
    ],
)
def test_a_refused_url_is_not_repeated_with_its_credentials(url: str) -> None:
    with pytest.raises(ValueError) as info:
        MCPServerHTTP(url, name="notes")
    text = f"{info.value} {info.value!r}"
    assert TOKEN not in text, text
    assert PASSWORD not in text, text
