"""A ``Set-Cookie`` header (a credential, by ``_redact``'s own list) reaches the log at DEBUG:
httpcore logs a response's headers as a list of byte tuples, ``(b'set-cookie', b'...')``,
and the header pattern only knows ``name: value`` and ``'name': 'value'``."""

from __future__ import annotations

import logging

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from rtagents.calls.rest import CallsAPI
from rtagents.testing import serve_asgi

pytestmark = pytest.mark.anyio

COOKIE = "sessval-7f6e5d4c3b2a19"


async def test_a_responses_set_cookie_is_redacted_in_httpcore_debug_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def minted(request: Request) -> JSONResponse:
        body = {"value": "ek_abcdefghijklmnop", "expires_at": 1}
        return JSONResponse(body, headers={"set-cookie": f"session={COOKIE}; Path=/"})

    app = Starlette(routes=[Route("/{path:path}", minted, methods=["POST"])])
    async with serve_asgi(app) as url:
        api = CallsAPI("sk-abcdefghijklmnopqrstu", f"{url}/v1")
        with caplog.at_level(logging.DEBUG):
            secret = await api.client_secret({"type": "realtime"})
        await api.aclose()
    assert secret["value"] == "ek_abcdefghijklmnop"
    assert "set-cookie" in caplog.text  # httpcore logged the response's headers
    assert COOKIE not in caplog.text
