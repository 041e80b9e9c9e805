"""A header's name is an HTTP token: one with a colon, a space or a line break in it would
make another header (``"X-A:b"``, ``"X\\r\\nInjected"``), or quote a value written into the
name by mistake (``"X-Api-Key: sk-..."``). ``connect`` refuses it before connecting, and an
``MCPServerHTTP`` when it is made, without quoting the name."""

from __future__ import annotations

import pytest

from rtagents.errors import ConnectError
from rtagents.mcp import MCPServerHTTP
from rtagents.session.connect import endpoint

NAMES = ["X-Api-Key: sk-secret-123456", "X\r\nInjected", "two words", "", "X-A:b"]


@pytest.mark.parametrize("name", NAMES)
def test_connect_refuses_a_header_name_that_is_no_token(name: str) -> None:
    with pytest.raises(ConnectError, match="header name") as refused:
        endpoint("ws://127.0.0.1:9/v1/realtime", None, {name: "v"}, "gpt-realtime", None)
    assert "sk-secret" not in str(refused.value)


@pytest.mark.parametrize("name", NAMES)
def test_an_mcp_server_refuses_a_header_name_that_is_no_token(name: str) -> None:
    with pytest.raises(ValueError, match="header name") as refused:
        MCPServerHTTP("http://127.0.0.1:9/mcp", headers={name: "v"})
    assert "sk-secret" not in str(refused.value)


def test_token_names_are_taken() -> None:
    _, headers = endpoint(
        "ws://127.0.0.1:9/v1/realtime", None, {"api-key": "k", "X_Custom.1": "v"}, "m", None
    )
    assert headers == {"api-key": "k", "X_Custom.1": "v"}
