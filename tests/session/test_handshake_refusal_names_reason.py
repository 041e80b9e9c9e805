"""A refused handshake names the server's own reason, from the JSON body OpenAI sends with a
refusal (``{"error": {"message": ...}}``), masked as ``CallsAPIError``'s is: a project without
access to the model (403) is told from a bad key, an exhausted quota (429) from a rate
limit."""

from __future__ import annotations

import json

import anyio
import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

import rtagents
from rtagents.session.transport import HandshakeRefused

pytestmark = pytest.mark.anyio

KEY = "sk-proj-given-secret-key-123456"


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (403, "Project proj_abc does not have access to model gpt-realtime-mini"),
        (429, "You exceeded your current quota, please check your plan and billing details."),
    ],
)
async def test_a_refusal_names_the_servers_reason(status: int, reason: str) -> None:
    body = json.dumps({"error": {"message": f"{reason} (key {KEY})", "code": "x"}}).encode()

    def refuse(conn: ServerConnection, request: Request) -> Response:
        headers = Headers({"Content-Type": "application/json"})
        return Response(status, "Refused", headers, body)

    async def nothing(ws: ServerConnection) -> None:  # pragma: no cover - never upgraded
        pass

    async with serve(nothing, "127.0.0.1", 0, process_request=refuse) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        with anyio.fail_after(10), pytest.raises(HandshakeRefused) as caught:
            async with rtagents.connect(
                rtagents.Agent(name="a"),
                url=f"ws://127.0.0.1:{port}/v1/realtime",
                api_key=KEY,
                reconnect=None,
            ):
                pass
    message = str(caught.value)
    assert KEY not in message
    assert reason in message, message
