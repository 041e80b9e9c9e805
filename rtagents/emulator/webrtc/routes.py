"""The HTTP side of WebRTC calls: ``POST /v1/realtime/calls`` takes a browser's SDP offer
(``application/sdp``, or the openai SDK's multipart form with ``sdp`` and ``session``) and
answers 201 with the SDP answer and ``Location: /v1/realtime/calls/rtc_...``; and CORS, as
the page that posts it is served by another origin (the app), as for api.openai.com.

The call's session starts as its client secret's (``POST /v1/realtime/client_secrets``),
with the form's ``session`` on top, as a SIP accept configures its call. Hang-up, status and
sidebands are the calls desk's routes (``calls.CallDesk``), for this call as for a SIP one.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from typing import TYPE_CHECKING, Any, Protocol

from starlette.datastructures import Headers, MutableHeaders, UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..._extras import require
from ...errors import ExtraMissing
from ..auth import LIVE_PATHS, NO_KEY, WEBRTC_PATHS, WRONG_KEY, ClientSecrets, presented_key
from ..errors import ClientEventError
from ..rest_json import api_error, bounded_body
from .live import live_request
from .peer import Peer, WebRTCCall

if TYPE_CHECKING:
    from ..calls import CallDesk
    from ..connection import Connection, EmulatorConnection
    from ..live import LiveCore

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, GET, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Content-Type",
    "Access-Control-Expose-Headers": "Location",  # the page reads the call id from it
    "Access-Control-Max-Age": "600",
}


class Host(Protocol):
    """What WebRTC calls need of the emulator."""

    desk: CallDesk
    client_secrets: ClientSecrets
    connections: list[Any]

    def open_webrtc_connection(
        self, model_name: str, session: dict[str, Any]
    ) -> EmulatorConnection: ...

    def open_live_webrtc_connection(self) -> Connection[LiveCore]: ...

    def connection_closed(self, conn: Connection[Any]) -> None: ...


class WebRTCCalls:
    """The emulator's WebRTC calls: answered, served, ended (all of them when it stops)."""

    def __init__(self, host: Host) -> None:
        self._host = host
        self._peers: dict[asyncio.Task[None], Peer] = {}

    def routes(self) -> list[BaseRoute]:
        routes: list[BaseRoute] = [Route(p, self._create, methods=["POST"]) for p in WEBRTC_PATHS]
        return routes + [Route(path, self._create_live, methods=["POST"]) for path in LIVE_PATHS]

    async def aclose(self) -> None:
        """End every call: its peer closes, its tasks stop (none outlives the emulator)."""
        for task in list(self._peers):
            task.cancel()
        await asyncio.gather(*self._peers, return_exceptions=True)

    async def _create(self, request: Request) -> Response:
        try:
            require("webrtc", "aiortc", "The emulator's WebRTC calls")
        except ExtraMissing as exc:
            return api_error(501, str(exc), None, "server_error")
        session = self._caller(request)
        if isinstance(session, Response):
            return session
        try:
            offer, asked = await _offer(request)
        except ValueError as exc:
            return api_error(400, str(exc), "sdp")
        config = {k: v for k, v in {**session, **asked}.items() if k != "type"}
        model = str(config.pop("model", None) or "gpt-realtime")
        try:
            conn = self._host.open_webrtc_connection(model, config)
        except ClientEventError as err:
            param = f"session.{err.param}" if err.param else "session"
            return api_error(400, err.message, param, code=err.code)
        except Exception as exc:  # a config of the wrong shape: the client's error, told so
            return api_error(400, f"Invalid 'session': {type(exc).__name__}", "session")
        call = WebRTCCall("rtc_" + secrets.token_hex(12), "webrtc", model, [], status="accepted")
        call.session, call.accepted_at = config, time.monotonic()
        answer = await self._answer(Peer(call, conn), offer, "sdp")
        if isinstance(answer, Response):
            return answer
        location = f"/v1/realtime/calls/{call.call_id}"
        return Response(answer, 201, {"Location": location}, media_type="application/sdp")

    async def _create_live(self, request: Request) -> Response:
        """GPT-Live's ``POST /v1/live/sessions``: a session config and the offer, as JSON;
        the session id and the answer back. ``session.started`` comes on the channel."""
        try:
            require("webrtc", "aiortc", "The emulator's WebRTC sessions")
        except ExtraMissing as exc:
            return api_error(501, str(exc), None, "server_error")
        refused = self._caller(request)
        if isinstance(refused, Response):
            return refused
        try:
            session, offer = live_request(await bounded_body(request))
        except ValueError as exc:
            return api_error(400, str(exc), None)
        conn = self._host.open_live_webrtc_connection()
        # The browser's POST carries what session.start carries over a websocket.
        conn.feed(json.dumps({"type": "session.start", "session": session}))
        # Its id for controls and sidebands is a ``live_...`` one, as a SIP call's session's.
        session_id = "live_" + secrets.token_hex(12)
        call = WebRTCCall(session_id, "webrtc", str(session.get("model")), [], api="live")
        call.status, call.session, call.accepted_at = "accepted", session, time.monotonic()
        answer = await self._answer(Peer(call, conn), offer, "transport.sdp")
        if isinstance(answer, Response):
            return answer
        transport = {"type": "webrtc", "sdp": answer}
        return JSONResponse({"session": {"id": session_id}, "transport": transport})

    def _caller(self, request: Request) -> dict[str, Any] | Response:
        """Who may open a session here: a key, or a client secret this emulator minted (the
        session it was minted for, given back); a 401 otherwise. (With ``api_key`` set, the
        key gate has checked the key already; without, any key but an unknown secret will do.)"""
        key = presented_key(request.headers, [])
        if key is None:
            return JSONResponse(NO_KEY, status_code=401)
        if not key.startswith("ek_"):
            return {}
        session = self._host.client_secrets.session(key)
        return JSONResponse(WRONG_KEY, status_code=401) if session is None else session

    async def _answer(self, peer: Peer, offer: str, param: str) -> str | Response:
        """The SDP answer to ``offer``, the call served from then on; or the 400 that
        refuses the offer (its peer closed)."""
        try:
            answer = await peer.answer(offer)
        except ValueError as exc:
            await peer.close()
            return api_error(400, str(exc), param)
        except BaseException:  # aiortc failed otherwise (or the request was cancelled)
            await peer.close()
            raise
        self._serve(peer)
        return answer

    def _serve(self, peer: Peer) -> None:
        self._host.desk.calls[peer.call.call_id] = peer.call
        self._host.connections.append(peer.conn)
        host = self._host

        def ended(conn: Connection[Any]) -> None:  # (whichever side ended it: kept as a hangup's)
            host.connection_closed(conn)
            host.desk.over(peer.call)

        task = asyncio.get_running_loop().create_task(peer.serve(ended))
        self._peers[task] = peer
        task.add_done_callback(self._peers.pop)


async def _offer(request: Request) -> tuple[str, dict[str, Any]]:
    """The SDP offer and the session asked for with it (the multipart form's)."""
    kind = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if kind == "multipart/form-data":
        body = await bounded_body(request)  # (413 past the limit, before any of it is parsed)

        async def replayed() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        try:
            form = await Request(request.scope, replayed).form()
        except Exception:
            raise ValueError("The multipart form could not be read.") from None
        sdp, raw = [await _text(form.get(name)) for name in ("sdp", "session")]
        try:
            session = json.loads(raw) if raw else {}
        except (ValueError, RecursionError):
            raise ValueError("The 'session' field is not JSON.") from None
        if not isinstance(session, dict):
            raise ValueError("The 'session' field is not a JSON object.")
    elif kind in ("application/sdp", "text/plain", ""):
        sdp, session = (await bounded_body(request)).decode(errors="replace"), {}
    else:
        raise ValueError(f"Unsupported Content-Type '{kind}': send application/sdp.")
    if not isinstance(sdp, str) or not sdp.strip().startswith("v=0"):
        raise ValueError("Invalid SDP offer: it must start with 'v=0'.")
    return sdp, session


async def _text(value: UploadFile | str | None) -> str | None:
    # The SDK sends ``sdp`` as a file part (application/sdp); a browser's form, as a field.
    if isinstance(value, UploadFile):
        return (await value.read()).decode(errors="replace")
    return value


def with_cors(app: ASGIApp) -> ASGIApp:
    """``app`` answering CORS on the calls routes: a preflight (no key asked), and the
    headers a page needs on every answer, errors included, to read it and its Location."""

    async def cors(scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] != "http" or not path.startswith(WEBRTC_PATHS + LIVE_PATHS):
            await app(scope, receive, send)
            return
        asked = Headers(scope=scope)
        if scope["method"] == "OPTIONS" and "origin" in asked:
            # The headers a page's client sends are allowed, whatever they are (OpenAI's
            # Agents SDK adds its own, X-OpenAI-Agents-SDK): the API takes them from a browser.
            wanted = asked.get("access-control-request-headers")
            allowed = {**CORS_HEADERS, "Access-Control-Allow-Headers": wanted} if wanted else {}
            await Response(status_code=204, headers=allowed or CORS_HEADERS)(scope, receive, send)
            return

        async def send_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in CORS_HEADERS.items():
                    headers[name] = value
            await send(message)

        await app(scope, receive, send_cors)

    return cors
