"""A ``HostedMCP``'s headers and ``authorization`` are checked as our own headers are
(docs/failures.md): whitespace around a value goes (a key read from a file ends in a
newline), a line break inside one is refused (a second header smuggled into the server's
request), and a name must be a header's name (``"X-Api-Key: sk-..."`` is refused, with the
key in no message or repr). Before, ``MCPServerHTTP`` and ``connect`` checked all three and
``HostedMCP`` none: it sent each as given, and its repr showed a key written into a name."""

from __future__ import annotations

import pytest

import rtagents
from rtagents.mcp import MCPServerHTTP

URL = "https://mcp.example.com/mcp"
KEY = "key-123456abcdef"


def test_a_header_name_holding_the_key_is_refused_not_shown_in_the_repr() -> None:
    headers = {f"X-Api-Key: {KEY}": "x"}
    with pytest.raises(ValueError):
        MCPServerHTTP(URL, headers=headers)  # (the sibling refuses it)
    try:
        hosted = rtagents.HostedMCP("docs", server_url=URL, headers=headers)
    except ValueError as exc:
        assert KEY not in str(exc)
        return
    pytest.fail(f"accepted, and its repr shows the key: {hosted!r}")


def test_a_line_break_inside_a_header_value_is_refused() -> None:
    headers = {"X-Api-Key": f"{KEY}\r\nX-Forwarded-For: 10.0.0.1"}
    with pytest.raises(ValueError):
        MCPServerHTTP(URL, headers=headers)  # (the sibling refuses it)
    with pytest.raises(ValueError):
        sent = rtagents.HostedMCP("docs", server_url=URL, headers=headers).definition().headers
        print("sent as", sent)


@pytest.mark.parametrize("where", ["headers", "authorization"])
def test_a_key_read_from_a_file_loses_its_newline(where: str) -> None:
    read = KEY + "\n"
    if where == "headers":
        hosted = rtagents.HostedMCP("docs", server_url=URL, headers={"X-Api-Key": read})
        sent = hosted.definition().headers["X-Api-Key"]
    else:
        hosted = rtagents.HostedMCP("docs", server_url=URL, authorization=read)
        sent = hosted.definition().authorization
    assert sent == KEY, f"the {where} goes to the server as {sent!r}"


@pytest.mark.parametrize("url", ["https://", "http:///mcp", "https://[::1/mcp", "ftp://x/mcp"])
def test_a_server_url_without_a_host_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="server_url"):
        rtagents.HostedMCP("docs", server_url=url)
