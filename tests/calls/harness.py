"""Helpers for the calls tests: signed webhooks, and an HTTP server standing in for the REST
API that records every request it gets (to show that a request was never made)."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from standardwebhooks.webhooks import Webhook
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from rtagents.testing import serve_asgi

SECRET = "whsec_" + "c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cw=="


def signed(body: str, *, event_id: str = "evt_1") -> dict[str, str]:
    """The headers OpenAI sends with ``body``, signed with ``SECRET``."""
    now = datetime.now(timezone.utc)
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(SECRET).sign(event_id, now, body),
        "content-type": "application/json",
    }


def incoming(call_id: Any) -> str:
    """A ``realtime.call.incoming`` event for ``call_id`` (any JSON value)."""
    event = {
        "id": "evt_1",
        "object": "event",
        "created_at": int(time.time()),
        "type": "realtime.call.incoming",
        "data": {"call_id": call_id, "sip_headers": [{"name": "From", "value": "+1555"}]},
    }
    return json.dumps(event)


@dataclass
class RecordingAPI:
    """Where the requests went: ``(method, path, authorization)`` of each."""

    url: str
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)


@asynccontextmanager
async def recording_api() -> AsyncIterator[RecordingAPI]:
    """A REST API under uvicorn that answers every POST 200 (a client secret for
    ``/v1/realtime/client_secrets``) and records it; ``api.url`` is its ``/v1`` base."""
    seen: list[tuple[str, str, str | None]] = []

    async def anything(request: Request) -> JSONResponse:
        raw_path = request.scope.get("raw_path", b"").decode("latin-1")
        seen.append((request.method, raw_path, request.headers.get("authorization")))
        if request.url.path == "/v1/realtime/client_secrets":
            value = f"ek_recorded{len(seen):04d}"
            return JSONResponse({"value": value, "expires_at": int(time.time()) + 600})
        return JSONResponse({})

    app = Starlette(routes=[Route("/{path:path}", anything, methods=["POST", "GET"])])
    async with serve_asgi(app) as url:
        yield RecordingAPI(f"{url}/v1", seen)
