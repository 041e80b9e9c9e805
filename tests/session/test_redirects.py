"""A handshake redirected within the URL's origin is followed; one to another origin is not:
the session's credentials (an ``api-key`` header the Azure way, any ``headers=`` value;
websockets strips only ``Authorization`` and cookies) would go with it. The API never
redirects, so such a redirect is a ``ConnectError`` naming where it led, and the other host
hears nothing."""

from __future__ import annotations

import anyio
import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

import rtagents
from rtagents.errors import ConnectError
from tests.session.hostile import hostile_server

pytestmark = pytest.mark.anyio

KEY = "azure-key-0123456789abcdef"


async def _nothing(ws: ServerConnection) -> None:  # pragma: no cover - never upgraded
    pass


def _redirect_to(where: str) -> object:
    def redirect(conn: ServerConnection, request: Request) -> Response:
        return Response(307, "Temporary Redirect", Headers({"Location": where}), b"")

    return redirect


async def test_a_redirect_to_another_origin_is_not_followed() -> None:
    seen: list[Request] = []

    def elsewhere(conn: ServerConnection, request: Request) -> Response:
        seen.append(request)
        return Response(403, "Forbidden", Headers(), b"")

    async with serve(_nothing, "127.0.0.1", 0, process_request=elsewhere) as other:
        other_port = next(iter(other.sockets)).getsockname()[1]
        target = f"ws://127.0.0.1:{other_port}/v1/realtime?token=tok-secret-42"
        async with serve(_nothing, "127.0.0.1", 0, process_request=_redirect_to(target)) as first:
            port = next(iter(first.sockets)).getsockname()[1]
            with anyio.fail_after(10), pytest.raises(ConnectError) as refused:
                async with rtagents.connect(
                    rtagents.Agent(name="a"),
                    url=f"ws://127.0.0.1:{port}/v1/realtime",
                    headers={"api-key": KEY},
                    reconnect=None,
                ):
                    pytest.fail("connected through a cross-origin redirect")
    assert seen == [], "the other origin was asked"
    message = str(refused.value)
    assert f"127.0.0.1:{other_port}" in message and "another origin" in message
    assert KEY not in message and "tok-secret-42" not in message


async def test_a_redirect_within_the_origin_is_followed() -> None:
    def moved(conn: ServerConnection, request: Request) -> Response | None:
        if not request.path.startswith("/old/"):
            return None  # the websocket itself
        port = conn.local_address[1]
        where = f"ws://127.0.0.1:{port}/v1/realtime?model=gpt-realtime"
        return Response(307, "Temporary Redirect", Headers({"Location": where}), b"")

    async with hostile_server(process_request=moved) as server:
        url = server.url.replace("/v1/", "/old/")
        with anyio.fail_after(10):
            async with rtagents.connect(
                rtagents.Agent(name="a"), url=url, headers={"api-key": KEY}, reconnect=None
            ):
                assert server.ws is not None and server.ws.request is not None
                assert server.ws.request.path.startswith("/v1/realtime")
                assert server.ws.request.headers["api-key"] == KEY
