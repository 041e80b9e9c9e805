"""The browser routes of a ``CallServer``. ``POST /session`` mints a client secret (spent on
the app's key) for a page's WebRTC call; ``POST /session/attach`` runs the agent's tools on a
sideband session of that call. Both are closed until the app says who may use them
(``authorize``), and attach takes only a call made with a secret minted here, or a call this
process holds. Attach answers once the sideband is connected, or says why it is not: 404
for a call the API does not have (or that has ended), 502 when the API failed, 503 when
the registry did or the server is not running. While it drains it mints no secret (503),
and still attaches the calls made with those it minted: they are its calls in flight."""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Awaitable, Callable
from typing import Any, TypeGuard

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .._asgi import UnreadBody, read_body
from .._redact import without_credentials
from ..agent import Agent
from ..errors import SessionConfigError, root_cause
from ..session.page import page_refusal
from ..session.transport import HandshakeRefused
from ..tracing.calls import adopted_trace, created_session, minting_span
from .access import Authorize, allowed, check_threads
from .control import OVER, CallRecord
from .inbound import check_call_id, shown
from .minted import MintedSecrets
from .registry import ClaimPending
from .rest import OPENAI_API, CallsAPI, CallsAPIError
from .sideband import SidebandCall

log = logging.getLogger("rtagents.calls")

ATTACH_BODY_LIMIT = 16 * 1024  # {"call_id": ..., "client_secret": ...} is under 200 bytes
ATTACH_TIMEOUT = 20.0  # seconds for the sideband to connect and configure its session

Attaching = tuple[SidebandCall, anyio.Event]
"""A browser's call being attached: its sideband, and the event set once the call is over."""


class BrowserRoutes:
    """``attach(call_id, agent)`` is the server's: claim the call and run its sideband (what
    it returns), or ``None`` when the call is claimed already (elsewhere, or over)."""

    def __init__(
        self,
        *,
        agent: Agent | None,
        api: CallsAPI,
        calls: dict[str, CallRecord],
        authorize: Authorize | None,
        authorize_timeout: float,
        taking_calls: Callable[[], bool],
        running: Callable[[], bool],
        attach: Callable[[str, Agent], Awaitable[Attaching | None]],
        keyed: bool = True,
    ) -> None:
        self._agent = agent
        self._api = api
        self._calls = calls
        self._authorize = authorize
        self._timeout = authorize_timeout
        self._taking_calls = taking_calls  # new calls (a secret minted): not while draining
        self._running = running  # a call made already: attached while draining too
        self._start = attach
        self._keyed = keyed
        self._minted = MintedSecrets()
        self._checks = check_threads()
        self._attaching: dict[str, Attaching] = {}  # a retry waits for the same sideband
        self._claiming: dict[str, anyio.Event] = {}  # ... and for the claim before it
        # Where the page posts its WebRTC offer: the calls endpoint of the same API.
        self.webrtc_url = f"{without_credentials(api.base_url)}/realtime/calls"

    async def _refusal(self, request: Request) -> Response | None:
        """403 unless the app's ``authorize`` says yes (or when there is none)."""
        if self._authorize is None:
            route = f"{request.method} {request.url.path}"
            log.warning("%s refused: the app gave no authorize=", route)
            message = f"{route} is off until the app says who may use it: CallServer(authorize=...)"
            return JSONResponse({"error": message}, status_code=403)
        if not await allowed(self._authorize, request, self._timeout, self._checks):
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
        if refused := page_refusal(self._agent):
            # The page is a client of the session: it sees its tools and could answer an
            # approval request itself, over the policy. Fail closed: no secret for it.
            log.warning("no client secret minted: %s", refused)
            return JSONResponse({"error": refused}, status_code=400)
        if not self._keyed and self._api.base_url == OPENAI_API:
            message = (
                "this server has no OpenAI API key: set OPENAI_API_KEY (or point it at the "
                "emulator: CallServer(base_url=...), OPENAI_BASE_URL in the example)"
            )
            return JSONResponse({"error": message}, status_code=503)
        try:
            with minting_span() as listing:  # (its trace is the call's: see attach)
                secret = await self._api.client_secret(page_session(self._agent))
        except CallsAPIError as exc:
            # What the API said stays in this server's log: a browser is told only the status.
            log.warning("minting a client secret failed: %s", exc)
            status = f" (HTTP {exc.status})" if exc.status else ""
            return JSONResponse(
                {"error": f"minting a client secret failed{status}"}, status_code=502
            )
        value, expires_at = secret.get("value"), secret.get("expires_at")
        if not isinstance(value, str) or not _a_time(expires_at):
            return JSONResponse({"error": "the API minted no client secret"}, status_code=502)
        self._minted.add(value, expires_at, listing.get("trace"))
        reply = {"client_secret": value, "expires_at": expires_at, "webrtc_url": self.webrtc_url}
        return JSONResponse(reply, headers=_NOT_STORED)  # (a secret: no cache keeps it)

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
        except UnreadBody as exc:
            return JSONResponse({"error": str(exc)}, status_code=exc.status)
        except (ValueError, KeyError, TypeError, RecursionError):
            usage = 'post {"call_id": "rtc_...", "client_secret": "ek_..."}'
            return JSONResponse({"error": usage}, status_code=400)
        agent = self._agent
        if agent is None:  # (the app's to fix: no retry helps)
            return JSONResponse({"error": "the server has no default agent"}, status_code=400)
        if not self._running():  # (while draining it is: the call is up, and one of ours)
            return JSONResponse({"error": "the server is not running"}, status_code=503)
        secret = body.get("client_secret")
        claiming = self._claiming.get(wanted)
        if claiming is not None and self._minted.holds(secret, wanted):
            # The page's retry, while its first attach waits for the registry's claim: it
            # is told what that attach comes to (any other caller, as below: unknown).
            with anyio.move_on_after(ATTACH_TIMEOUT):
                await claiming.wait()
            if not claiming.is_set():
                message = f"the claim of call {wanted} did not finish in {ATTACH_TIMEOUT:g} s"
                return JSONResponse({"error": message}, status_code=504)
        for done in [c for c, (_, over) in self._attaching.items() if over.is_set()]:
            del self._attaching[done]  # over: its record says how it ended
        record, pending = self._calls.get(wanted), self._attaching.get(wanted)
        # Told only to the page whose secret attached it: to any other, as unknown.
        if (record is not None or pending is not None) and self._minted.holds(secret, wanted):
            if pending is not None:  # being attached, or up: as its sideband is
                return await _outcome(wanted, pending, self._calls[wanted])
            assert record is not None
            return _over(wanted, record)
        taken = record is not None or pending is not None or wanted in self._claiming
        if taken or not self._minted.bind(secret, wanted):
            message = (
                f"no call {wanted} here: attach a call made with a client secret from "
                "POST /session of this server (its client_secret), within its lifetime"
            )
            return JSONResponse({"error": message}, status_code=404)
        claiming = self._claiming[wanted] = anyio.Event()
        try:
            with adopted_trace(self._minted.trace_of(secret)):  # (the secret's: its session's)
                pending = await self._start(wanted, agent)
        except ClaimPending:  # another replica is taking it: as for one that holds it
            pending = None
        except Exception as exc:
            log.warning("attaching call %s failed: %s", shown(wanted), root_cause(exc))
            return JSONResponse({"error": "the call registry is unavailable"}, status_code=503)
        finally:
            del self._claiming[wanted]  # (its own: no other attach claims while it is there)
            claiming.set()
        if pending is None:
            message = f"call {wanted} is held by another replica, or has ended"
            return JSONResponse({"error": message}, status_code=409)
        # Kept until the call is over: a retry (after a 504, say) waits for the same sideband.
        self._attaching[wanted] = pending
        return await _outcome(wanted, pending, self._calls[wanted])


async def _outcome(call_id: str, pending: Attaching, record: CallRecord) -> Response:
    """ "attached" once the call's sideband is connected; else what went wrong, in words
    (the details are in the server's log, which the lifecycle writes)."""
    sideband, over = pending
    with anyio.move_on_after(ATTACH_TIMEOUT):
        async with anyio.create_task_group() as tg:

            async def settled(event: anyio.Event) -> None:
                await event.wait()
                tg.cancel_scope.cancel()

            tg.start_soon(settled, sideband.up)
            tg.start_soon(settled, over)
    refused = sideband.refused
    if sideband.up.is_set() and refused is None:
        return JSONResponse({"status": "attached"})
    if sideband.gone:
        message = f"call {call_id} does not exist or has ended: the API refused its sideband (404)"
        return JSONResponse({"error": message}, status_code=404)
    if isinstance(refused, HandshakeRefused):
        message = f"the API refused the sideband of call {call_id}: HTTP {refused.status}"
        return JSONResponse({"error": message}, status_code=502)
    if isinstance(refused, SessionConfigError):  # what it said is in the server's log
        message = f"the API refused the agent's configuration on the sideband of call {call_id}"
        return JSONResponse({"error": message}, status_code=502)
    if refused is not None:
        message = (
            f"the sideband of call {call_id} could not reach the API ({type(refused).__name__})"
        )
        return JSONResponse({"error": message}, status_code=502)
    if over.is_set() and record.state != "failed":  # hung up, rejected, moved: meant so
        return _over(call_id, record)
    if over.is_set():  # it failed before its sideband started: the registry did
        log.warning("attaching call %s failed: %s", shown(call_id), record.reason)
        return JSONResponse({"error": "the call registry is unavailable"}, status_code=503)
    message = f"the sideband of call {call_id} did not connect in {ATTACH_TIMEOUT:g} s"
    return JSONResponse({"error": message}, status_code=504)


_NOT_STORED = {"Cache-Control": "no-store"}  # (RFC 6749, 5.1: a token's reply)


def _over(call_id: str, record: CallRecord) -> Response:
    """A call of this server's that is no longer up here: 409 when another replica holds it
    now (``moved``, at a drain), else 404, saying how it ended."""
    if record.state not in OVER:
        message = f"call {call_id} is held by another replica now"
        return JSONResponse({"error": message}, status_code=409)
    state = "" if record.state == "ended" else f" ({record.state})"
    return JSONResponse({"error": f"call {call_id} has ended{state}"}, status_code=404)


def page_session(agent: Agent) -> dict[str, Any]:
    """The session a browser's client secret is minted with: the agent's, without its
    function tools, which come with the sideband's ``session.update`` (as its transfer and
    local MCP tools do). A call the model made before the sideband attached would have
    nobody to run it, and would never be answered; the user may speak at once."""
    session = created_session(agent)
    tools = [tool for tool in session.get("tools") or () if tool.get("type") == "mcp"]
    session["tools"] = tools
    choice = session.get("tool_choice")
    if (isinstance(choice, dict) and choice.get("type") == "function") or (
        choice == "required" and not tools
    ):
        del session["tool_choice"]  # (its tools come with the sideband, and it with them)
    return session


def _a_time(value: object) -> TypeGuard[float]:
    """A Unix time a page can be told (JSON has no ``inf`` or ``NaN``, which Python's parser
    reads from ``1e999`` and ``NaN``, and a secret kept until then is kept for ever)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
