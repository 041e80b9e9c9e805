"""An HTTP MCP server that refuses us at the start (a wrong token: 401) fails ``connect()`` with
an error that says so.

docs/mcp.md: "A server that does not start fails `connect()` with a clear error";
``MCPConnectError``: "the message names the cause". A server (or its gateway) that answers the
``initialize`` POST with ``401 Unauthorized`` is reported as "did not start: MCPError: Server
returned an error response": neither the status nor the word unauthorized, so a user with a
mistyped or expired token cannot tell it from a crashed server.
"""

from __future__ import annotations

import anyio
import anyio.abc
import pytest

from rtagents.mcp import MCPConnectError, MCPServerHTTP

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]


async def answer_401(stream: anyio.abc.SocketStream) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        data += await stream.receive()
    body = b'{"error":"invalid_token","error_description":"the token is not valid"}'
    await stream.send(
        b"HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\n"
        b'WWW-Authenticate: Bearer error="invalid_token"\r\n'
        b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body)
    )
    await stream.aclose()


async def test_a_401_at_the_start_is_named_in_the_connect_error() -> None:
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=0)
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    async with listener, anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, answer_401)
        server = MCPServerHTTP(
            f"http://127.0.0.1:{port}/mcp",
            headers={"Authorization": "Bearer expired-token"},
            name="crm",
            connect_timeout=5,
        )
        with anyio.fail_after(15), pytest.raises(MCPConnectError) as info:
            async with server:
                pass
        tg.cancel_scope.cancel()
    message = str(info.value)
    assert "expired-token" not in message
    assert "401" in message or "unauthorized" in message.lower(), message
