"""Phone calls in the emulator: a simulated caller, the REST calls surface the real API has
(accept, reject, refer, hang up; client secrets), and the sideband websocket by ``call_id``.

``POST /v1/emulator/calls`` places a call: the emulator posts a signed
``realtime.call.incoming`` webhook to ``webhook_url``, as OpenAI does for a SIP call. Once the
call is accepted and a sideband session attached, the caller says each line of ``say`` as a
user turn, one after each answer. ``GET /v1/emulator/calls/{call_id}`` tells what happened.

With ``"api": "live"`` the call is GPT-Live's: a ``live.transport.incoming`` webhook for a
``live_...`` session, answered at ``/v1/live/sessions/{id}/accept`` (``reject``, ``refer``,
``hangup``), and sidebands at ``/v1/live/sessions/{id}/attach`` (``live.phone``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from .._hosts import DIRECT
from ..errors import root_cause
from .auth import ClientSecrets
from .call import API, Call
from .config import minted_session
from .core import hide_secrets
from .errors import ClientEventError
from .live import phone as live_phone
from .rest_json import api_error, json_body, route_json
from .signing import sign, signing_key

if TYPE_CHECKING:
    from .connection import Connection, EmulatorConnection
    from .live import LiveCore

log = logging.getLogger("rtagents.emulator")


class CallDesk:
    """The emulator's calls: placed, ringing, answered, ended."""

    def __init__(
        self,
        client_secrets: ClientSecrets,
        webhook_host_allowed: Callable[[str], bool],
        keep_ended: int = 16,
    ) -> None:
        self._client_secrets = client_secrets
        self._webhook_host_allowed = webhook_host_allowed
        self.calls: dict[str, Call] = {}
        """The calls placed: those still up, and the latest ``keep_ended`` that ended (each
        holds its sideband connections: memory stays bounded, as with ``keep_closed``)."""
        self._keep_ended = keep_ended
        self._ended: dict[str, None] = {}  # the ended calls kept, oldest first
        self._tasks: set[asyncio.Task[None]] = set()
        self._http: Any = None  # one client for every webhook (making one costs ~25 ms)

    def routes(self) -> list[BaseRoute]:
        # The same handlers for both APIs: a call is reached only by its own API's paths.
        control = [
            route_json(f"{base}/{action}", handler, ["POST"])
            for base in ("/v1/realtime/calls/{call_id}", "/v1/live/sessions/{call_id}")
            for action, handler in (
                ("accept", self._accept),
                ("reject", self._reject),
                ("refer", self._refer),
                ("hangup", self._hangup),
            )
        ]
        return [
            route_json("/v1/emulator/calls", self._place, ["POST"]),
            route_json("/v1/emulator/calls/{call_id}", self._status, ["GET"]),
            *control,
            route_json("/v1/realtime/client_secrets", self._client_secret, ["POST"]),
        ]

    async def aclose(self) -> None:
        """Stop the webhooks still being delivered."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def can_attach(self, call_id: str, api: API = "realtime") -> bool:
        call = self.calls.get(call_id)
        return call is not None and call.status == "accepted" and call.api == api

    def attach(self, call_id: str, conn: EmulatorConnection | Connection[LiveCore]) -> None:
        """A sideband connection for an accepted call (``can_attach``)."""
        self.calls[call_id].attach(conn)

    def place(
        self,
        webhook_url: str,
        webhook_secret: str,
        caller: str,
        callee: str,
        say: list[str],
        api: API = "realtime",
        caller_waits_s: float | None = None,
    ) -> Call:
        """Place a simulated call (GPT-Live's with ``api="live"``): its webhook is posted in
        the background. A secret that is not ``whsec_`` and base64 is a ``ValueError`` here,
        not a call that rings on. ``caller_waits_s``: see ``caller``."""
        signing_key(webhook_secret)
        prefix = "live_" if api == "live" else "rtc_"
        call = Call(prefix + secrets.token_hex(12), caller, callee, list(say), api=api)
        call.on_over = self.over
        call.caller_waits_s = caller_waits_s
        self.calls[call.call_id] = call
        task = asyncio.get_running_loop().create_task(self._ring(call, webhook_url, webhook_secret))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return call

    async def _ring(self, call: Call, url: str, secret: str) -> None:
        import httpx2

        event_id = "evt_" + secrets.token_hex(12)
        sip_headers = [
            # As a carrier sends them: the number as the user, a tag on From.
            {
                "name": "From",
                "value": f'"{call.caller}" <sip:{call.caller}@example.com;'
                f"user=phone>;tag={secrets.token_hex(4)}",
            },
            {"name": "To", "value": f"<sip:{call.callee}@sip.api.openai.com>"},
            {"name": "Call-ID", "value": call.call_id},
        ]
        kind, data = "realtime.call.incoming", {"call_id": call.call_id, "sip_headers": sip_headers}
        if call.api == "live":
            kind, data = live_phone.webhook(call, sip_headers)
        event = {"id": event_id, "object": "event", "created_at": int(time.time())}
        body = json.dumps({**event, "type": kind, "data": data})
        timestamp = str(int(time.time()))
        headers = {
            "webhook-id": event_id,
            "webhook-timestamp": timestamp,
            "webhook-signature": sign(secret, event_id, timestamp, body),
            "content-type": "application/json",
        }
        if self._http is None:
            self._http = httpx2.AsyncClient(timeout=10, mounts=DIRECT)
        try:
            reply = await self._http.post(url, content=body, headers=headers)
            call.webhook = {"event_id": event_id, "status": reply.status_code}
        except Exception as exc:
            call.webhook = {"event_id": event_id, "error": root_cause(exc, None)}
            log.warning("the webhook for call %s could not be delivered: %s", call.call_id, exc)

    # -- routes -------------------------------------------------------------------------------

    async def _place(self, request: Request) -> Any:
        body = await json_body(request)
        if not body.get("webhook_url") or not body.get("webhook_secret"):
            return api_error(400, "webhook_url and webhook_secret are required", "webhook_url")
        if not self._webhook_host_allowed(urlsplit(str(body["webhook_url"])).hostname or ""):
            why = "beyond loopback, this emulator posts webhooks to its webhook_hosts only"
            return api_error(400, why, "webhook_url")
        say = body.get("say") or []
        say = [say] if isinstance(say, str) else say  # (one line, not one a letter)
        if not isinstance(say, list) or not all(isinstance(line, str) for line in say):
            return api_error(400, "'say' is a list of the lines the caller says", "say")
        waits = body.get("caller_waits_s")
        if waits is not None and (type(waits) not in (int, float) or not 0 <= waits <= 3600):
            return api_error(400, "'caller_waits_s' is seconds, from 0 to 3600", "caller_waits_s")
        try:
            call = self.place(
                str(body["webhook_url"]),
                str(body["webhook_secret"]),
                str(body.get("from", "+15550100")),
                str(body.get("to", "+15550199")),
                say,
                "live" if body.get("api") == "live" else "realtime",
                waits,
            )
        except ValueError as exc:
            return api_error(400, str(exc), "webhook_secret")
        return {"call_id": call.call_id}

    def _call(self, request: Request) -> Call | Response:
        call = self.calls.get(request.path_params["call_id"])
        path = request.url.path
        other_api = path.startswith("/v1/live/") != (call is not None and call.api == "live")
        if other_api and not path.startswith("/v1/emulator/"):
            call = None  # another API's call: not found by this one's paths
        if call is None:
            return api_error(404, f"Call '{request.path_params['call_id']}' not found.", "call_id")
        return call

    async def _status(self, request: Request) -> Any:
        call = self._call(request)
        return call.public() if isinstance(call, Call) else call

    async def _accept(self, request: Request) -> Any:
        call = self._call(request)
        if not isinstance(call, Call):
            return call
        call.accept_requests += 1
        if call.status != "ringing":
            return api_error(400, f"Call is {call.status}, not ringing.", "call_id")
        body = await json_body(request)
        if call.api == "live":
            try:
                call.session = live_phone.accepted_session(body)
            except ValueError as exc:
                return api_error(400, str(exc), "session")
        else:
            call.session = {k: v for k, v in body.items() if k != "type"}
            model = call.session.get("model")  # (the sideband cannot say it: the accept does)
            if "model" in call.session and (not isinstance(model, str) or not model):
                return api_error(400, "Invalid 'model': expected a model's name.", "model")
            try:  # checked as the API does, not when the sideband opens (it died then)
                minted_session(call.session)
            except ClientEventError as err:
                return api_error(400, err.message, err.param or "session", code=err.code)
        call.status, call.accepted_at = "accepted", time.monotonic()
        return Response(status_code=200)

    async def _reject(self, request: Request) -> Any:
        call = self._call(request)
        if not isinstance(call, Call):
            return call
        if call.status != "ringing":
            return api_error(400, f"Call is {call.status}, not ringing.", "call_id")
        status = (await json_body(request)).get("status_code", 603)
        if type(status) is not int or not 300 <= status <= 699:
            return api_error(
                400, "Invalid 'status_code': a SIP status from 300 to 699.", "status_code"
            )
        call.sip_status, call.status = status, "rejected"
        self.over(call)
        return Response(status_code=200)

    async def _refer(self, request: Request) -> Any:
        call = self._call(request)
        if not isinstance(call, Call):
            return call
        if call.status != "accepted":  # (the API transfers and hangs up active calls)
            return _not_active(call)
        if call.transport != "sip":  # SIP REFER: for SIP calls alone
            return api_error(400, "Only a SIP call can be transferred (REFER).", "call_id")
        target = (await json_body(request)).get("target_uri")
        if not target:
            return api_error(400, "Missing required parameter: 'target_uri'.", "target_uri")
        call.refer_to, call.status = str(target), "referred"
        call.hang_up("call transferred")
        self.over(call)
        return Response(status_code=200)

    async def _hangup(self, request: Request) -> Any:
        call = self._call(request)
        if not isinstance(call, Call):
            return call
        if call.status in _OVER:
            return _not_active(call)
        call.status = "ended"
        call.hang_up("call ended")
        self.over(call)
        return Response(status_code=200)

    def over(self, call: Call) -> None:
        """``call`` ended: kept among the latest ``keep_ended``, the oldest let go."""
        self._ended[call.call_id] = None
        while len(self._ended) > self._keep_ended:
            oldest = next(iter(self._ended))
            del self._ended[oldest]
            self.calls.pop(oldest, None)

    async def _client_secret(self, request: Request) -> Any:
        body = await json_body(request)
        session = body.get("session") or {"type": "realtime"}
        expires_after = body.get("expires_after") or {}
        if not isinstance(expires_after, dict):
            message = "Invalid 'expires_after': expected an object ({'anchor', 'seconds'})."
            return api_error(400, message, "expires_after")
        seconds = expires_after.get("seconds", 600)
        # The real API's bounds; a bad value is a 400 naming it, not a server error.
        if type(seconds) is not int or not 10 <= seconds <= 7200:
            message = "Invalid 'expires_after.seconds': expected an integer from 10 to 7200."
            return api_error(400, message, "expires_after.seconds")
        if not isinstance(session, dict):
            return api_error(400, "Invalid 'session': expected an object.", "session")
        try:  # the session a page opens with it (its model chooses the connection's): checked
            effective = minted_session(session)
        except ClientEventError as err:
            return api_error(400, err.message, err.param or "session", code=err.code)
        value, expires_at = self._client_secrets.mint(seconds, session)
        # As the API answers: the effective session, with its id and object (the SDK reads
        # both), and no credentials (a hosted MCP server's, echoed by no server).
        kind = "transcription_session" if session.get("type") == "transcription" else "session"
        if "tools" in effective:  # (a transcription session has none)
            effective["tools"] = [hide_secrets(t) for t in effective["tools"]]
        if "model" in session:
            effective["model"] = session["model"]
        made = {"id": "sess_" + secrets.token_hex(12), "object": f"realtime.{kind}", **effective}
        return {"value": value, "expires_at": expires_at, "session": made}


_OVER = ("rejected", "referred", "ended")


def _not_active(call: Call) -> Response:
    """A transfer or hang-up of a call that is not up: over (404), or still ringing (400)."""
    if call.status in _OVER:
        return api_error(
            404, f"Call '{call.call_id}' has {call.status}: it is not active.", "call_id"
        )
    return api_error(400, f"Call is {call.status}: accept it first.", "call_id")
