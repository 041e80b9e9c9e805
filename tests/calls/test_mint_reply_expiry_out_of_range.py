"""``POST /session`` checks the API's mint reply: an ``expires_at`` of ``1e999`` (a JSON number
Python reads as ``inf``) or ``NaN`` is no time a page can be told, so the reply is "the API
minted no client secret", a 502, and no secret is kept. (It answered 500, a ``JSONResponse``
refusing the value, after it had recorded the secret, to be kept for ever.)"""

from __future__ import annotations

import httpx2
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from rtagents.testing import serve_asgi
from tests.calls.test_browser_attach import server

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("expires_at", ["1e999", "NaN"])
async def test_a_mint_reply_whose_expiry_is_no_time_is_a_502(expires_at: str) -> None:
    async def minted(request: Request) -> Response:
        body = '{"value": "ek_abcdef0123456789", "expires_at": ' + expires_at + "}"
        return Response(body, media_type="application/json")

    api = Starlette(routes=[Route("/{path:path}", minted, methods=["POST"])])
    async with serve_asgi(api) as api_url:
        app = server(f"{api_url}/v1")
        async with serve_asgi(app) as url, httpx2.AsyncClient(base_url=url) as http:
            reply = await http.post("/session")
    assert reply.status_code == 502, f"HTTP {reply.status_code}: {reply.text[:80]!r}"
