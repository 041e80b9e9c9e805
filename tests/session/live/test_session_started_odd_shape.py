"""A ``session.started`` with an odd but readable shape (``expires_at`` null, or no
``status``) is the server's answer to ``session.start``: the session should open (with a
warning naming what was left out), not wait out the configuration timeout and fail saying
that the server never answered."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest
from websockets.asyncio.server import serve

import rtagents
from rtagents.session import runner

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    "odd", [{"expires_at": None}, {"status": None}], ids=["expires_at null", "status null"]
)
async def test_an_odd_session_started_still_opens_the_session(
    odd: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "CONFIGURE_TIMEOUT_S", 3.0)  # (30 s otherwise)

    async def handle(ws: Any) -> None:
        async for text in ws:
            event = json.loads(text)
            if event["type"] == "session.start":
                session = {
                    **event["session"],
                    "id": "live_1",
                    "expires_at": 1_900_000_000,
                    "status": "active",
                    **odd,
                }
                await ws.send(
                    json.dumps(
                        {
                            "type": "session.started",
                            "event_id": "e1",
                            "client_event_id": event.get("event_id"),
                            "session": session,
                        }
                    )
                )

    async with serve(handle, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        url = f"ws://127.0.0.1:{port}/v1/live/sessions"
        with anyio.fail_after(8):
            async with rtagents.connect(
                rtagents.Agent(), url=url, api="live", reconnect=None
            ) as session:
                assert session.id == "live_1"
