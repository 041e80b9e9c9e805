"""``CallServer``: phone calls (OpenAI SIP webhooks) and browser sessions (client secrets),
with the agent's tools run on a sideband session of each call. An ASGI app (Starlette)."""

from __future__ import annotations

import contextlib
import contextvars
import inspect
import logging
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Union

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ..agent import Agent
from ..errors import root_cause
from ..session.connect import connect
from ..tools import tool
from .rest import CallsAPI, CallsAPIError
from .webhooks import WebhookError, WebhookVerifier

log = logging.getLogger("rtagents.calls")


@dataclass(frozen=True)
class IncomingCall:
    """A call OpenAI announced (``realtime.call.incoming``). Everything in it comes from
    the caller's side of the phone network: treat it as untrusted input."""

    call_id: str
    sip_headers: dict[str, str]

    @property
    def caller(self) -> str:
        return self.sip_headers.get("From", "")

    @property
    def callee(self) -> str:
        return self.sip_headers.get("To", "")


@dataclass(frozen=True)
class Reject:
    """The router's no: the call is rejected with a SIP ``status_code`` (603 Decline)."""

    status_code: int = 603
    reason: str = ""


Route_ = Callable[[IncomingCall], Union[Agent, Reject, Awaitable[Union[Agent, Reject]]]]


@dataclass
class CallRecord:
    """A call this process handles (``app.calls``)."""

    call_id: str
    caller: str
    agent: str | None = None
    state: str = "ringing"  # ringing, rejected, active, ended, failed
    started: float = field(default_factory=time.time)
    reason: str | None = None
    session: Any = field(default=None, repr=False)


@dataclass(frozen=True)
class CallHandle:
    """The call a tool or handler runs in (``current_call()``): control it from inside."""

    call_id: str
    api: CallsAPI = field(repr=False)

    async def hangup(self) -> None:
        await self.api.hangup(self.call_id)

    async def refer(self, target_uri: str) -> None:
        """Transfer the caller to ``tel:+1555...`` or ``sip:...``."""
        await self.api.refer(self.call_id, target_uri)


_current: contextvars.ContextVar[CallHandle] = contextvars.ContextVar("rtagents_call")


def current_call() -> CallHandle:
    """The call this code runs in: in a tool, an approval handler or an event handler of a
    session a ``CallServer`` runs. Raises ``RuntimeError`` elsewhere."""
    try:
        return _current.get()
    except LookupError:
        raise RuntimeError("not in a call handled by a CallServer") from None


@tool
async def end_call() -> str:
    """Hang up the phone call, after saying goodbye."""
    await current_call().hangup()
    return "the call was ended"


@tool(needs_approval=True)  # it sends the caller elsewhere: the approval policy decides
async def transfer_call(target_uri: str) -> str:
    """Transfer the phone call to another number or SIP address (tel:+1555... or sip:...)."""
    await current_call().refer(target_uri)
    return f"the call was transferred to {target_uri}"


class CallServer:
    """An ASGI app that answers phone calls with an agent.

    ``POST /openai/webhook`` takes OpenAI's ``realtime.call.incoming`` webhooks: the
    signature is verified (400 otherwise), a delivery seen before is acknowledged and
    ignored, and the call is accepted with the agent's configuration (or rejected, as the
    router says) and run on a sideband session. ``POST /session`` mints a client secret for
    a browser, configured from the agent. ``app.calls`` lists the calls of this process.

    Args:
        agent: The agent for every call (or give ``route``).
        route: ``route(call) -> Agent | Reject``, sync or async, per incoming call.
        webhook_secret: The webhook's signing secret (``whsec_...``).
        api_key: The OpenAI API key (``OPENAI_API_KEY`` when omitted).
        base_url: The REST API's base URL (the emulator's ``http_url``, for instance).
        routes: More Starlette routes of the same app, after the calls routes (a page for
            browsers: ``Mount("/", StaticFiles(directory=..., html=True))``).
    """

    def __init__(
        self,
        agent: Agent | None = None,
        *,
        route: Route_ | None = None,
        webhook_secret: str,
        api_key: str | None = None,
        base_url: str | None = None,
        routes: Sequence[BaseRoute] = (),
    ) -> None:
        if (agent is None) == (route is None):
            raise ValueError("CallServer needs exactly one of agent= and route=")
        self._route: Route_ = route or (lambda call: agent)  # type: ignore[assignment,return-value]
        self._verifier = WebhookVerifier(webhook_secret)
        self._api_key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY")
        self.api = CallsAPI(self._api_key, base_url)
        self._ws_url = _websocket_url(self.api.base_url)
        self._agent = agent
        self.calls: dict[str, CallRecord] = {}
        self._tg: anyio.abc.TaskGroup | None = None
        self._app = Starlette(
            routes=[
                Route("/openai/webhook", self._webhook, methods=["POST"]),
                Route("/session", self._browser_session, methods=["POST"]),
                Route("/session/attach", self._attach, methods=["POST"]),
                *routes,
            ],
            lifespan=self._lifespan,
        )

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self._app(scope, receive, send)

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        # The calls run in the app's own task group, from startup to shutdown.
        async with anyio.create_task_group() as tg:
            self._tg = tg
            try:
                yield
            finally:
                self._tg = None
                tg.cancel_scope.cancel()
                await self.api.aclose()

    # -- phone calls ---------------------------------------------------------------------------

    async def _webhook(self, request: Request) -> Response:
        body = await request.body()
        try:
            event = self._verifier.verify(body, request.headers)
        except WebhookError as exc:
            log.warning("%s", exc)
            return JSONResponse({"error": str(exc)}, status_code=400)
        if self._tg is None:  # not marked as seen: OpenAI's retry will be handled
            return JSONResponse({"error": "the server is not running"}, status_code=503)
        if not self._verifier.first_time(request.headers.get("webhook-id", "")):
            return JSONResponse({"status": "duplicate"})
        if event.get("type") != "realtime.call.incoming":
            return JSONResponse({"status": "ignored"})
        data = event.get("data") or {}
        headers = {
            str(h.get("name")): str(h.get("value"))
            for h in data.get("sip_headers") or []
            if isinstance(h, dict)
        }
        call = IncomingCall(str(data.get("call_id", "")), headers)
        if not call.call_id or call.call_id in self.calls:
            return JSONResponse({"status": "ignored"})
        self.calls[call.call_id] = CallRecord(call.call_id, call.caller)
        self._tg.start_soon(self._answer, call)  # answered fast: the work goes on after
        return JSONResponse({"status": "accepted"})

    async def _answer(self, call: IncomingCall) -> None:
        record = self.calls[call.call_id]
        accepted = False
        try:
            decision = self._route(call)
            if inspect.isawaitable(decision):
                decision = await decision
            if not isinstance(decision, (Agent, Reject)):
                raise TypeError(f"the router returned {decision!r:.60}, not an Agent or Reject")
            if isinstance(decision, Reject):
                await self.api.reject(call.call_id, decision.status_code)
                record.state, record.reason = "rejected", decision.reason or None
                return
            agent: Agent = decision
            record.agent = agent.name
            config = agent.session_config().model_dump(mode="json", exclude_unset=True)
            await self.api.accept(call.call_id, config)
            accepted = True
            record.state = "active"
            await self._sideband(call.call_id, agent, record)
        except Exception as exc:  # the call fails; the server goes on
            record.state, record.reason = "failed", root_cause(exc)
            log.warning("call %s failed: %s", call.call_id, record.reason)
            if not accepted:  # never left ringing: a router that failed rejects the call
                with contextlib.suppress(Exception):
                    await self.api.reject(call.call_id, 480)

    async def _sideband(self, call_id: str, agent: Agent, record: CallRecord) -> None:
        _current.set(CallHandle(call_id, self.api))
        async with connect(agent, url=self._ws_url, api_key=self._api_key, call_id=call_id) as s:
            record.session = s
            async for _ in s:
                pass
        record.state, record.reason = "ended", s.closed_reason

    # -- out-of-band control (a supervisor's UI) -------------------------------------------------

    def _record(self, call_id: str) -> CallRecord:
        record = self.calls.get(call_id)
        if record is None:
            raise KeyError(f"no call {call_id!r} in this process")
        return record

    async def hangup(self, call_id: str) -> None:
        """Hang up a call of this process."""
        self._record(call_id)
        await self.api.hangup(call_id)

    async def transfer(self, call_id: str, target_uri: str) -> None:
        """Transfer a call of this process (the app decided: no approval is asked)."""
        self._record(call_id)
        await self.api.refer(call_id, target_uri)

    async def approve(self, call_id: str, approval_id: str) -> bool:
        """Approve a pending approval of a call's session (``approval.requested``); False
        when it was no longer pending."""
        return bool(await self._session(call_id).approve(approval_id))

    async def deny(self, call_id: str, approval_id: str, reason: str = "denied") -> bool:
        return bool(await self._session(call_id).deny(approval_id, reason=reason))

    def _session(self, call_id: str) -> Any:
        session = self._record(call_id).session
        if session is None:
            raise KeyError(f"call {call_id!r} has no session yet")
        return session

    # -- browsers ------------------------------------------------------------------------------

    async def _browser_session(self, request: Request) -> Response:
        """A client secret for a browser's WebRTC session, configured from the agent."""
        agent = self._agent
        if agent is None:
            return JSONResponse({"error": "this server routes calls; no default agent"}, 400)
        session = agent.session_config().model_dump(mode="json", exclude_unset=True)
        try:
            secret = await self.api.client_secret(session)
        except CallsAPIError as exc:
            return JSONResponse({"error": str(exc)}, status_code=502)
        return JSONResponse(
            {"client_secret": secret.get("value"), "expires_at": secret.get("expires_at")}
        )

    async def _attach(self, request: Request) -> Response:
        """The page posts its call id (from the WebRTC answer's ``Location``): the agent's
        tools then run on a sideband session of that call."""
        agent = self._agent
        try:
            call_id = str((await request.json())["call_id"])
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": 'post {"call_id": "rtc_..."}'}, status_code=400)
        if agent is None or self._tg is None:
            return JSONResponse({"error": "no default agent, or not running"}, status_code=400)
        if call_id in self.calls:
            return JSONResponse({"status": "attached"})
        record = self.calls[call_id] = CallRecord(call_id, "browser", agent.name, "active")
        self._tg.start_soon(self._guarded_sideband, call_id, agent, record)
        return JSONResponse({"status": "attached"})

    async def _guarded_sideband(self, call_id: str, agent: Agent, record: CallRecord) -> None:
        try:
            await self._sideband(call_id, agent, record)
        except Exception as exc:
            record.state, record.reason = "failed", root_cause(exc)
            log.warning("call %s failed: %s", call_id, record.reason)


def _websocket_url(base_url: str) -> str:
    scheme, _, rest = base_url.partition("://")
    return f"{'wss' if scheme == 'https' else 'ws'}://{rest}/realtime"
