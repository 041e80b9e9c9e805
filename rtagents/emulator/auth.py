"""Who may use an emulator started with an API key: one gate in front of its one port.

Every request passes it, websocket or HTTP, known route or not, before any route runs, so
no route can forget the check. The key is compared in constant time; a refusal is the real
API's 401 body, and never repeats what the client sent.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from typing import Any

from starlette.datastructures import Headers, QueryParams
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket

_KEY_PROTOCOL = "openai-insecure-api-key."
WEBRTC_PATHS = ("/v1/realtime/calls", "/realtime/calls")
"""Where a browser posts its SDP offer (a new WebRTC call), with a key or a client secret."""
LIVE_PATHS = ("/v1/live/sessions", "/live/sessions")
"""GPT-Live's new sessions: the websocket, and a browser's WebRTC offer (a POST)."""
_MAX_SECRETS = 10_000  # live client secrets kept; the oldest go first past it
WRONG_KEY = {
    "error": {
        "message": "Incorrect API key provided. You can find your API key at "
        "https://platform.openai.com/account/api-keys.",
        "type": "invalid_request_error",
        "code": "invalid_api_key",
        "param": None,
    }
}
NO_KEY = {
    "error": {
        "message": "You didn't provide an API key. You need to provide your API key in an "
        "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        "type": "invalid_request_error",
        "code": None,
        "param": None,
    }
}


def presented_key(headers: Headers, subprotocols: list[str]) -> str | None:
    """The key a client presented: ``Authorization: Bearer``, or the browser-style
    ``openai-insecure-api-key.`` subprotocol of a websocket."""
    auth = headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip()
    for protocol in subprotocols:
        if protocol.strip().startswith(_KEY_PROTOCOL):
            return protocol.strip()[len(_KEY_PROTOCOL) :]
    return None


class ClientSecrets:
    """Ephemeral keys (``ek_...``) minted by ``POST /v1/realtime/client_secrets``. As on the
    real API, one opens a Realtime websocket session until it expires, and nothing else.
    Only their digests are kept, so that a lookup's timing tells nothing about a secret."""

    def __init__(self) -> None:
        self._expiry: dict[bytes, float] = {}
        self._sessions: dict[bytes, dict[str, Any]] = {}
        self.clock: Callable[[], float] = time.time

    def mint(self, seconds: int, session: dict[str, Any] | None = None) -> tuple[str, int]:
        """A new secret and when it expires (epoch seconds); ``session`` is the config a
        WebRTC call it opens starts with."""
        now = self.clock()
        self._expiry = {d: t for d, t in self._expiry.items() if t > now}
        while len(self._expiry) >= _MAX_SECRETS:
            del self._expiry[next(iter(self._expiry))]
        self._sessions = {d: s for d, s in self._sessions.items() if d in self._expiry}
        value = "ek_" + secrets.token_hex(16)
        expires_at = int(now) + seconds
        self._expiry[_digest(value)] = expires_at
        self._sessions[_digest(value)] = dict(session) if isinstance(session, dict) else {}
        return value, expires_at

    def valid(self, value: str) -> bool:
        expires_at = self._expiry.get(_digest(value))
        return expires_at is not None and expires_at > self.clock()

    def session(self, value: str) -> dict[str, Any] | None:
        """The session a live secret was minted with (``None`` if it is not live)."""
        return dict(self._sessions.get(_digest(value), {})) if self.valid(value) else None


class KeyGate:
    """ASGI middleware: refuses every HTTP request and websocket without the key (or, for
    a new Realtime session over the websocket, a live client secret) with HTTP 401; with no
    key set, only those that present a client secret (``ek_...``) it does not hold."""

    def __init__(
        self, app: ASGIApp, key: Callable[[], str | None], client_secrets: ClientSecrets
    ) -> None:
        self._app = app
        self._key = key  # read per request: ``emu.api_key`` may be set after start
        self._secrets = client_secrets

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self._app(scope, receive, send)
            return
        key = self._key()
        given = presented_key(Headers(scope=scope), [str(p) for p in scope.get("subprotocols", [])])
        if key is None:  # any key will do, but a client secret the emulator does not hold
            unheld = (
                given is not None and given.startswith("ek_") and not self._secrets.valid(given)
            )
            admitted = not unheld  # (as the API: one expired, or never minted, opens nothing)
        else:
            admitted = given is not None and self._admits(scope, given, key)
        if admitted:
            await self._app(scope, receive, send)
            return
        denial = JSONResponse(NO_KEY if given is None else WRONG_KEY, status_code=401)
        if scope["type"] == "http":
            await denial(scope, receive, send)
        else:
            await WebSocket(scope, receive, send).send_denial_response(denial)

    def _admits(self, scope: Scope, given: str, key: str) -> bool:
        if hmac.compare_digest(given.encode(), key.encode()):
            return True
        # A browser's client secret opens a session, never a call's sideband (the server's).
        new_session = "call_id" not in QueryParams(scope.get("query_string", b"")) and not str(
            scope.get("path", "")
        ).endswith("/attach")  # a sideband (Realtime's by call_id, GPT-Live's) needs the key
        if scope["type"] == "http":  # a browser's WebRTC call is a new session too
            new_session = str(scope.get("path", "")) in WEBRTC_PATHS + LIVE_PATHS
        return new_session and self._secrets.valid(given)


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode()).digest()
