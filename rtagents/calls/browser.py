"""The browser routes of a ``CallServer``. ``POST /session`` mints a client secret (spent on
the app's key) for a page's WebRTC call; ``POST /session/attach`` runs the agent's tools on a
sideband session of that call. Both are closed until the app says who may use them
(``authorize``), and attach takes only a call made with a secret minted here, or a call this
process holds."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..agent import Agent
from ..errors import root_cause
from ..tracing.calls import created_session
from .access import Authorize, allowed
from .control import CallRecord
from .inbound import BodyTooLarge, check_call_id, read_body, shown
from .minted import MintedSecrets
from .rest import CallsAPI, CallsAPIError

log = logging.getLogger("rtagents.calls")

ATTACH_BODY_LIMIT = 16 * 1024  # {"call_id": ..., "client_secret": ...} is under 200 bytes
_OVER = frozenset({"ended", "failed", "rejected"})


class BrowserRoutes:
    """``attach(call_id, agent)`` is the server's: claim the call and run its sideband."""

    def __init__(
        self,
        *,
        agent: Agent | None,
        api: CallsAPI,
        calls: dict[str, CallRecord],
        authorize: Authorize | None,
        authorize_timeout: float,
        taking_calls: Callable[[], bool],
        attach: Callable[[str, Agent], Awaitable[None]],
    ) -> None:
        self._agent = agent
        self._api = api
        self._calls = calls
        self._authorize = authorize
        self._timeout = authorize_timeout
        self._taking_calls = taking_calls
        self._start = attach
        self._minted = MintedSecrets()

    async def _refusal(self, request: Request) -> Response | None:
        """403 unless the app's ``authorize`` says yes (or when there is none)."""
        if self._authorize is None:
            route = f"{request.method} {request.url.path}"
            log.warning("%s refused: the app gave no authorize=", route)
            message = f"{route} is off until the app says who may use it: CallServer(authorize=...)"
            return JSONResponse({"error": message}, status_code=403)
        if not await allowed(self._authorize, request, self._timeout):
            return JSONResponse({"error": "not authorized"}, status_code=403)
        return None

    async def mint(self, request: Request) -> Response:
        """A client secret for a browser's WebRTC session, configured from the agent."""
        refusal = await self._refusal(request)
        if refusal is not None:
            return refusal
        if not self._taking_calls():
            return JSONResponse({"error": "the server is not taking calls"}, status_code=503)
        if self._agent is None:
            return JSONResponse({"error": "this server routes calls; no default agent"}, 400)
        try:
            secret = await self._api.client_secret(created_session(self._agent))
        except CallsAPIError as exc:
            return JSONResponse({"error": str(exc)}, status_code=502)
        value, expires_at = secret.get("value"), secret.get("expires_at")
        if not isinstance(value, str) or not isinstance(expires_at, (int, float)):
            return JSONResponse({"error": "the API minted no client secret"}, status_code=502)
        self._minted.add(value, expires_at)
        return JSONResponse({"client_secret": value, "expires_at": expires_at})

    async def attach(self, request: Request) -> Response:
        """The page posts its call id (from the WebRTC answer's ``Location``) with the
        client secret it made the call with: the agent's tools then run on a sideband
        session of that call."""
        refusal = await self._refusal(request)
        if refusal is not None:
            return refusal
        try:
            body: Any = json.loads(await read_body(request, ATTACH_BODY_LIMIT))
            wanted = check_call_id(body["call_id"])
        except BodyTooLarge as exc:
            return JSONResponse({"error": str(exc)}, status_code=413)
        except (ValueError, KeyError, TypeError, RecursionError):
            usage = 'post {"call_id": "rtc_...", "client_secret": "ek_..."}'
            return JSONResponse({"error": usage}, status_code=400)
        agent = self._agent
        if agent is None or not self._taking_calls():
            return JSONResponse({"error": "no default agent, or not running"}, status_code=400)
        record = self._calls.get(wanted)
        if record is not None:
            if record.state in _OVER:
                return JSONResponse({"error": f"call {wanted} has ended"}, status_code=404)
            return JSONResponse({"status": "attached"})
        if not self._minted.bind(body.get("client_secret"), wanted):
            message = (
                f"no call {wanted} here: attach a call made with a client secret from "
                "POST /session of this server (its client_secret), within its lifetime"
            )
            return JSONResponse({"error": message}, status_code=404)
        try:
            await self._start(wanted, agent)
        except Exception as exc:
            log.warning("attaching call %s failed: %s", shown(wanted), root_cause(exc))
            return JSONResponse({"error": "the call registry is unavailable"}, status_code=503)
        return JSONResponse({"status": "attached"})
