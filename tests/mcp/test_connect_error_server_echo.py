"""An HTTP MCP server's URL token and header values are secrets "redacted wherever they
appear" (failures.md, Secrets), and "what the framework makes of the server's words is masked
the same way". A server that refuses the MCP ``initialize`` with a JSON-RPC error quoting the
credential it was given (``invalid token ...``, as auth proxies do) has its words copied
verbatim into the ``MCPConnectError`` raised out of ``async with server`` / ``connect()``:
its message (printed by ``rtagents run``, logged by apps, sent to error trackers) and its
traceback (``raise ... from exc`` keeps the MCP client's own error as the cause)."""

from __future__ import annotations

import traceback

import anyio
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from rtagents.mcp import MCPConnectError, MCPServerHTTP
from rtagents.testing import serve_asgi

pytestmark = pytest.mark.anyio

TOKEN = "urltok-secret-55821"
BEARER = "hdr-secret-77120"


async def refuse_quoting_the_credentials(request: Request) -> JSONResponse:
    body = await request.json()
    given = request.headers.get("authorization")
    message = f"token {request.query_params.get('token')} rejected (auth={given})"
    error = {"code": -32001, "message": message}
    return JSONResponse({"jsonrpc": "2.0", "id": body.get("id"), "error": error})


async def test_a_server_echo_of_its_credentials_stays_out_of_the_connect_error() -> None:
    app = Starlette(routes=[Route("/mcp", refuse_quoting_the_credentials, methods=["POST"])])
    async with serve_asgi(app) as url:
        server = MCPServerHTTP(
            f"{url}/mcp?token={TOKEN}",
            headers={"Authorization": f"Bearer {BEARER}"},
            name="crm",
            connect_timeout=5,
        )
        with anyio.fail_after(15), pytest.raises(MCPConnectError) as caught:
            async with server:
                pass
    message = str(caught.value)
    assert "rejected" in message  # the server's refusal is what is said
    assert TOKEN not in message, message
    assert BEARER not in message, message
    shown = "".join(traceback.format_exception(caught.value))  # what a crash prints
    assert TOKEN not in shown and BEARER not in shown, "the traceback quotes the credentials"
