"""``CallServer``: phone calls (OpenAI SIP webhooks, Twilio Media Streams) and browser
sessions (client secrets), with the agent's tools run in this process; health, readiness
and a graceful drain for deploys. An ASGI app (Starlette)."""

from __future__ import annotations

import collections
import contextlib
import functools
import inspect
import logging
import os
from collections.abc import AsyncIterator, Sequence
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute

from ..agent import Agent
from ..errors import RtagentsError, root_cause
from ..session.connect import connect
from ..session.events import SessionClosed
from ..tracing.calls import call_ended, call_span, created_session
from .access import Authorize
from .browser import BrowserRoutes
from .control import CallHandle, CallRecord, IncomingCall, Reject, enter_call
from .control import Route as Router
from .inbound import BodyTooLarge, check_call_id, read_body
from .registry import CallRegistry, LocalRegistry
from .rest import CallsAPI
from .supervision import Supervision
from .twilio import TwilioStreams
from .twilio_stream import TwilioEndpoint
from .webhooks import WebhookError, WebhookVerifier

log = logging.getLogger("rtagents.calls")

WEBHOOK_BODY_LIMIT = 1024 * 1024  # an event is a few KB; a bigger body is refused unread


class CallServer:
    """An ASGI app that answers phone calls with an agent.

    ``POST /openai/webhook`` takes OpenAI's ``realtime.call.incoming`` webhooks: the
    signature is verified (400 otherwise), a delivery seen before is acknowledged and
    ignored, and the call is accepted with the agent's configuration (or rejected, as the
    router says) and run on a sideband session. ``POST /session`` mints a client secret for
    a browser, configured from the agent, and ``POST /session/attach`` runs the agent's tools
    on the call the page made with it: both only for requests ``authorize`` says yes to.
    ``/twilio`` bridges Twilio Media Streams (with ``twilio=``). ``GET /healthz`` and
    ``GET /readyz`` are for the load balancer, and ``drain()`` (on ``SIGTERM`` under
    ``rtagents serve``) for deploys. ``app.calls`` lists the calls of this process;
    ``approve``, ``deny``, ``hangup``, ``transfer`` and ``say`` reach a call on any replica
    sharing the ``registry``.

    Args:
        agent: The agent for every call (or give ``route``).
        route: ``route(call) -> Agent | Reject``, sync or async, per incoming call.
        webhook_secret: The webhook's signing secret (``whsec_...``).
        api_key: The OpenAI API key (``OPENAI_API_KEY`` when omitted).
        base_url: The REST API's base URL (the emulator's ``http_url``, for instance).
        routes: More Starlette routes of the same app, after the calls routes (a page for
            browsers: ``Mount("/", StaticFiles(directory=..., html=True))``).
        twilio: Serve Twilio Media Streams on the ``/twilio`` websocket
            (``TwilioStreams(auth_token=...)``); off when omitted.
        registry: Where calls are claimed and controlled: ``LocalRegistry()`` (one process,
            the default) or ``RedisRegistry(url)`` shared by replicas.
        drain_timeout: Seconds a shutdown (``SIGTERM``) lets running calls go on before
            their sessions are closed, each after its tool calls in flight have finished.
        keep_ended: How many ended calls ``app.calls`` keeps (the latest), with their
            sessions' history; older ones are dropped, so a long-running process does not
            grow with every call it took.
        authorize: ``authorize(request: CallerRequest) -> bool``, sync or async: who may use
            the browser routes (``POST /session`` spends on your key). Only ``True`` lets a
            request in; without it, both routes answer 403 and do nothing.
        authorize_timeout: Seconds ``authorize`` has to answer; then the request is refused.
    """

    def __init__(
        self,
        agent: Agent | None = None,
        *,
        route: Router | None = None,
        webhook_secret: str,
        api_key: str | None = None,
        base_url: str | None = None,
        routes: Sequence[BaseRoute] = (),
        twilio: TwilioStreams | None = None,
        registry: CallRegistry | None = None,
        drain_timeout: float = 30.0,
        keep_ended: int = 1000,
        authorize: Authorize | None = None,
        authorize_timeout: float = 10.0,
    ) -> None:
        if (agent is None) == (route is None):
            raise ValueError("CallServer needs exactly one of agent= and route=")
        self._route: Router = route or (lambda call: agent)  # type: ignore[assignment,return-value]
        self._twilio = twilio
        self._verifier = WebhookVerifier(webhook_secret)
        self._api_key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY")
        self.api = CallsAPI(self._api_key, base_url)
        self._ws_url = _websocket_url(self.api.base_url)
        self._agent = agent
        self.calls: dict[str, CallRecord] = {}
        self.registry: CallRegistry = registry if registry is not None else LocalRegistry()
        self._control = Supervision(self.calls, self.registry, self._adopt)
        self.drain_timeout = drain_timeout
        self._keep_ended = keep_ended
        self._ended: collections.deque[str] = collections.deque()
        self.draining = False
        self._tg: anyio.abc.TaskGroup | None = None
        browser = BrowserRoutes(
            agent=agent,
            api=self.api,
            calls=self.calls,
            authorize=authorize,
            authorize_timeout=authorize_timeout,
            taking_calls=lambda: self._tg is not None and not self.draining,
            attach=self._attach_browser,
        )
        self._app = Starlette(
            routes=[
                Route("/healthz", self._health, methods=["GET"]),
                Route("/readyz", self._readiness, methods=["GET"]),
                Route("/openai/webhook", self._webhook, methods=["POST"]),
                Route("/session", browser.mint, methods=["POST"]),
                Route("/session/attach", browser.attach, methods=["POST"]),
                *([WebSocketRoute("/twilio", TwilioEndpoint(self).serve)] if twilio else []),
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
            await tg.start(self.registry.run, self._control)
            self._tg = tg
            try:
                yield
            finally:
                with anyio.CancelScope(shield=True):
                    await self.drain()
                    self._tg = None
                    tg.cancel_scope.cancel()
                    await self.api.aclose()

    # -- operations ----------------------------------------------------------------------------

    async def _finished(self, call_id: str) -> None:
        """A call of this process is over: the registry lets it go, and the oldest ended
        calls beyond ``keep_ended`` leave ``app.calls``."""
        await self.registry.release(call_id)
        self._ended.append(call_id)
        while len(self._ended) > self._keep_ended:
            self.calls.pop(self._ended.popleft(), None)

    def _live(self) -> list[CallRecord]:
        return [r for r in self.calls.values() if r.state in ("ringing", "active")]

    async def drain(self, grace: float | None = None) -> None:
        """Stop taking calls and let the running ones finish, for at most ``grace``
        seconds (``drain_timeout``); then close the sessions still open, each once its tool
        calls in flight have finished and their outputs are sent. New webhooks are answered
        503 meanwhile (OpenAI retries them, on another replica) and readiness fails."""
        self.draining = True
        with anyio.move_on_after(self.drain_timeout if grace is None else grace):
            # Calls end in their own tasks; a shutdown can afford to look every 100 ms.
            while self._live():  # noqa: ASYNC110
                await anyio.sleep(0.1)
        async with anyio.create_task_group() as tg:
            for record in self._live():
                if record.session is not None:
                    tg.start_soon(record.session.drain)

    async def _health(self, request: Request) -> Response:
        """Liveness: the process answers."""
        return JSONResponse({"status": "ok"})

    async def _readiness(self, request: Request) -> Response:
        """Readiness: running, not draining, and the registry reachable."""
        if self._tg is None:
            return JSONResponse({"status": "starting"}, status_code=503)
        if self.draining:
            return JSONResponse({"status": "draining"}, status_code=503)
        if not await self.registry.ready():
            return JSONResponse({"status": "registry unavailable"}, status_code=503)
        return JSONResponse({"status": "ready", "calls": len(self._live())})

    # -- phone calls ---------------------------------------------------------------------------

    async def _webhook(self, request: Request) -> Response:
        try:
            event = self._verifier.verify(
                await read_body(request, WEBHOOK_BODY_LIMIT), request.headers
            )
            data = event.get("data") or {}
            if event.get("type") == "realtime.call.incoming":
                # Before the delivery is marked seen: a retry is judged again.
                check_call_id(data.get("call_id") if isinstance(data, dict) else None)
        except BodyTooLarge as exc:
            log.warning("webhook rejected: %s", exc)
            return JSONResponse({"error": str(exc)}, status_code=413)
        except WebhookError as exc:
            log.warning("%s", exc)
            return JSONResponse({"error": str(exc)}, status_code=400)
        except ValueError as exc:
            # Signed, but no call id to use: a 400 (not an ignored 200) shows in OpenAI's
            # webhook dashboard, and nothing is requested with the key.
            log.warning("webhook rejected: its call_id: %s", exc)
            return JSONResponse({"error": f"webhook rejected: its call_id: {exc}"}, 400)
        if self._tg is None or self.draining:  # not marked seen: a retry is handled elsewhere
            return JSONResponse({"error": "the server is not taking calls"}, status_code=503)
        if not self._verifier.first_time(request.headers.get("webhook-id", "")):
            return JSONResponse({"status": "duplicate"})
        if event.get("type") != "realtime.call.incoming":
            return JSONResponse({"status": "ignored"})
        headers = {
            str(h.get("name")): str(h.get("value"))
            for h in data.get("sip_headers") or []
            if isinstance(h, dict)
        }
        call = IncomingCall(data["call_id"], headers)
        if call.call_id in self.calls:
            return JSONResponse({"status": "ignored"})
        try:
            claimed = await self.registry.claim(call.call_id)
        except Exception as exc:  # the registry is away: OpenAI retries, maybe elsewhere
            log.warning("claiming call %s failed: %s", call.call_id, root_cause(exc))
            self._verifier.forget(request.headers.get("webhook-id", ""))
            return JSONResponse({"error": "the call registry is unavailable"}, status_code=503)
        if not claimed:  # another replica took it (a retried or doubled delivery)
            return JSONResponse({"status": "duplicate"})
        self.calls[call.call_id] = CallRecord(call.call_id, call.caller)
        self._tg.start_soon(self._answer, call)  # answered fast: the work goes on after
        return JSONResponse({"status": "accepted"})

    async def _decide(self, call: IncomingCall) -> Agent | Reject:
        """The router's decision for a call, checked: anything else is an error."""
        decision = self._route(call)
        if inspect.isawaitable(decision):
            decision = await decision
        if not isinstance(decision, (Agent, Reject)):
            raise TypeError(f"the router returned {decision!r:.60}, not an Agent or Reject")
        return decision

    async def _answer(self, call: IncomingCall) -> None:
        with call_span(call.call_id, "sip") as span:
            record = self.calls[call.call_id]
            await self._answer_in(call, record)
            call_ended(span, record.state, record.reason)

    async def _answer_in(self, call: IncomingCall, record: CallRecord) -> None:
        accepted = False
        try:
            decision = await self._decide(call)
            if isinstance(decision, Reject):
                await self.api.reject(call.call_id, decision.status_code)
                record.state, record.reason = "rejected", decision.reason or None
                return
            agent: Agent = decision
            record.agent = agent.name
            await self.api.accept(call.call_id, created_session(agent))
            accepted = True
            record.state = "active"
            await self.registry.accepted(
                call.call_id, {"source": "sip", "sip_headers": dict(call.sip_headers)}
            )
            await self._sideband(call.call_id, agent, record)
        except Exception as exc:  # the call fails; the server goes on
            record.state, record.reason = "failed", root_cause(exc)
            log.warning("call %s failed: %s", call.call_id, record.reason)
            with contextlib.suppress(Exception):
                if not accepted:  # never left ringing: a router that failed rejects the call
                    await self.api.reject(call.call_id, 480)
                elif not self.draining:  # nor left up without its tools
                    await self.api.hangup(call.call_id)
        finally:
            await self._finished(call.call_id)

    def _sip_handle(self, call_id: str) -> CallHandle:
        return CallHandle(
            call_id,
            functools.partial(self.api.hangup, call_id),
            functools.partial(self.api.refer, call_id),
        )

    async def _sideband(self, call_id: str, agent: Agent, record: CallRecord) -> None:
        record.handle = self._sip_handle(call_id)
        enter_call(record.handle)
        failed = False
        async with connect(agent, url=self._ws_url, api_key=self._api_key, call_id=call_id) as s:
            record.session = s
            async for event in s:
                failed = isinstance(event, SessionClosed) and event.error
        if failed:  # the call cannot go on without its tools: it fails, and is hung up
            raise SidebandLost(f"the call's session ended: {s.closed_reason}")
        if record.state == "active":  # not moved to another replica meanwhile
            record.state, record.reason = "ended", s.closed_reason

    # -- out-of-band control (a supervisor's UI, on any replica) -----------------------------------

    async def hangup(self, call_id: str) -> None:
        """Hang up a call (of this process, or of the replica that holds it)."""
        await self._control.run(call_id, "hangup", {})

    async def transfer(self, call_id: str, target_uri: str) -> None:
        """Transfer a call (the app decided: no approval is asked)."""
        await self._control.run(call_id, "transfer", {"target_uri": target_uri})

    async def approve(self, call_id: str, approval_id: str) -> bool:
        """Approve a pending approval of a call's session (``approval.requested``); False
        when it was no longer pending."""
        return bool(await self._control.run(call_id, "approve", {"approval_id": approval_id}))

    async def deny(self, call_id: str, approval_id: str, reason: str = "denied") -> bool:
        """Decline a pending approval; ``reason`` is told to the model."""
        args = {"approval_id": approval_id, "reason": reason}
        return bool(await self._control.run(call_id, "deny", args))

    async def say(self, call_id: str, text: str) -> None:
        """Add a message to a call's conversation, which the agent answers (a supervisor
        stepping in)."""
        await self._control.run(call_id, "say", {"text": text})

    # -- browsers (the routes are in ``browser``) ----------------------------------------------

    async def _attach_browser(self, call_id: str, agent: Agent) -> None:
        """Run ``agent``'s tools on a browser's call, which its page attached: claimed
        first, so that one replica runs them."""
        if not await self.registry.claim(call_id):
            return  # another replica runs this call's tools already
        assert self._tg is not None  # BrowserRoutes attaches only while taking calls
        await self.registry.accepted(call_id, {"source": "browser"})
        record = CallRecord(call_id, "browser", agent.name, "active", source="browser")
        self.calls[call_id] = record
        self._tg.start_soon(self._guarded_sideband, call_id, agent, record)

    async def _adopt(self, call_id: str, call: dict[str, Any]) -> bool:
        """A call whose replica died, taken over by this one (the registry's ``adopt``):
        the agent is chosen again as it was (the router, from the call's SIP headers), and
        a sideband attaches to the call, already accepted."""
        if self._tg is None or self.draining or call_id in self.calls:
            return False
        source = call.get("source")
        headers = call.get("sip_headers")
        incoming = IncomingCall(call_id, headers if isinstance(headers, dict) else {})
        decision = self._agent if source == "browser" else await self._decide(incoming)
        if not isinstance(decision, Agent):
            raise TypeError(f"the router gave no agent for call {call_id!r}, taken over")
        record = CallRecord(call_id, incoming.caller or "browser", decision.name, "active")
        record.source = "browser" if source == "browser" else "sip"
        self.calls[call_id] = record
        self._tg.start_soon(self._guarded_sideband, call_id, decision, record)
        return True

    async def _guarded_sideband(self, call_id: str, agent: Agent, record: CallRecord) -> None:
        with call_span(call_id, record.source) as span:
            try:
                await self._sideband(call_id, agent, record)
            except Exception as exc:
                record.state, record.reason = "failed", root_cause(exc)
                log.warning("call %s failed and is hung up: %s", call_id, record.reason)
                if not self.draining:  # never left up without its tools
                    with contextlib.suppress(Exception):
                        await self.api.hangup(call_id)
            finally:
                call_ended(span, record.state, record.reason)
                await self._finished(call_id)


class SidebandLost(RtagentsError):
    """A call's sideband session ended with an error (a refused configuration on a new
    connection, reconnects given up): the call cannot go on without its tools."""


def _websocket_url(base_url: str) -> str:
    scheme, _, rest = base_url.partition("://")
    return f"{'wss' if scheme == 'https' else 'ws'}://{rest}/realtime"
