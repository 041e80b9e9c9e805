"""``CallServer``: phone calls (OpenAI SIP webhooks, Twilio Media Streams) and browser
sessions (client secrets), with the agent's tools run in this process; health, readiness
and a graceful drain for deploys. An ASGI app (Starlette)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute

from .._redact import env_api_key, given_key
from ..agent import Agent
from ..pricing import PriceBook, Prices, PriceTable
from ..tracing.calls import adopted_trace
from .access import Authorize
from .browser import Attaching, BrowserRoutes
from .control import LIVE, CallRecord, IncomingCall
from .control import Route as Router
from .lifecycle import CallLifecycle
from .limits import CallLimit
from .registry import CallRegistry, LocalRegistry
from .rest import CallsAPI
from .sideband import Reach
from .sip_webhooks import SipWebhooks
from .supervision import Supervision
from .twilio import TwilioStreams
from .twilio_stream import TwilioEndpoint
from .webhooks import WebhookVerifier

log = logging.getLogger("rtagents.calls")

CLAIM_TIMEOUT_S = 5.0
"""How long a call waits for the call registry's claim; past it, a webhook is answered 503
(OpenAI retries), a Twilio stream closed with 1013, a browser's attach answered 503."""
LIMIT_NOTICE = "We are almost out of time, so I will have to end this call in a moment."


class CallServer:
    """An ASGI app that answers phone calls with an agent.

    ``POST /openai/webhook`` takes OpenAI's ``realtime.call.incoming`` webhooks, and
    GPT-Live's ``live.transport.incoming`` (or its older name, ``live.call.incoming``): the
    signature is verified (400 otherwise), a delivery seen before is acknowledged and
    ignored, and the call is accepted with the agent's configuration (its Live one for a
    GPT-Live call; or rejected, as the router says) and run on a sideband session.
    ``POST /session`` mints a client secret for a browser, configured from the agent (with
    ``webrtc_url``, where the page posts its WebRTC offer), and ``POST /session/attach``
    runs the agent's tools on the call the page made with it, answering once its sideband
    is connected (404 for a call the API does not have, or that has ended): both only for
    requests ``authorize`` says yes to.
    ``/twilio`` bridges Twilio Media Streams (with ``twilio=``). ``GET /healthz`` and
    ``GET /readyz`` are for the load balancer, and ``drain()`` (on ``SIGTERM`` under
    ``rtagents serve``) for deploys. ``app.calls`` lists the calls of this process;
    ``approve``, ``deny``, ``hangup``, ``transfer`` and ``say`` reach a call on any replica
    sharing the ``registry``.

    Args:
        agent: The agent for every call (or give ``route``).
        route: ``route(call) -> Agent | Reject``, sync or async, per incoming call.
        webhook_secret: The webhook's signing secret (``whsec_...``).
        api_key: The OpenAI API key (``OPENAI_API_KEY`` when omitted and ``base_url`` is
            OpenAI's: another server, an emulator say, is given no key unless this says one).
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
        route_timeout: Seconds ``route`` has to decide; then the call is refused (a router
            stuck on a lookup holds up no other call: sync ones run in threads of their own).
        max_call_seconds: How long a call may last, counted from its answer (a browser's
            call: from its attach; a Twilio stream: from its start); then the server hangs
            it up through the REST API, as ``end_call`` does (a Twilio stream is ended),
            and its record says ``state="ended"``, ``reason="time limit"``. ``None`` (the
            default): no limit. A call taken over from a replica that died keeps its clock.
        warn_before_s: Seconds before the limit when the agent says ``limit_notice`` on the
            call (a response with instructions to say it, asked for once no response is
            active; on GPT-Live, commentary).
        limit_notice: What the agent says then; ``None`` hangs up without a word.
        prices: The app's prices (``rtagents.Prices``) for each call's ``cost`` in
            ``app.calls``: by model name, or one ``Prices`` for ``agent``'s models (its
            Realtime model's and its GPT-Live model's calls alike).
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
        route_timeout: float = 10.0,
        max_call_seconds: float | None = None,
        warn_before_s: float = 30.0,
        limit_notice: str | None = LIMIT_NOTICE,
        prices: PriceTable | None = None,
    ) -> None:
        if (agent is None) == (route is None):
            raise ValueError("CallServer needs exactly one of agent= and route=")
        if not isinstance(keep_ended, int) or isinstance(keep_ended, bool) or keep_ended < 0:
            raise ValueError(f"keep_ended must be a count of calls (0 or more), got {keep_ended!r}")
        limit = (
            None
            if max_call_seconds is None
            else CallLimit(max_call_seconds, warn_before_s, limit_notice)
        )
        # The environment's key for OpenAI's own base URL only (an emulator's gets none).
        self._api_key = given_key(api_key) if api_key is not None else env_api_key(base_url)
        self.api = CallsAPI(self._api_key, base_url)
        self._reach = reach = Reach(self.api, self._api_key)
        self._agent = agent
        self.registry: CallRegistry = registry if registry is not None else LocalRegistry()
        self._lifecycle = CallLifecycle(
            route or (lambda call: agent),  # type: ignore[arg-type,return-value]
            self.registry,
            keep_ended,
            limit,
            _price_book(prices, agent),
            CLAIM_TIMEOUT_S,
            route_timeout,
        )
        self.calls: dict[str, CallRecord] = self._lifecycle.calls
        self._control = Supervision(
            self.calls, self.registry, self._adopt, lambda: self._lifecycle.taking_calls
        )
        self._webhooks = SipWebhooks(WebhookVerifier(webhook_secret), self._lifecycle, reach)
        self.drain_timeout = drain_timeout
        browser = BrowserRoutes(
            agent=agent,
            api=self.api,
            calls=self.calls,
            authorize=authorize,
            authorize_timeout=authorize_timeout,
            taking_calls=lambda: self._lifecycle.taking_calls,
            running=lambda: self._lifecycle.tg is not None,
            attach=self._attach_browser,
            keyed=bool(self._api_key),
        )
        streams = (
            [
                WebSocketRoute(
                    "/twilio",
                    TwilioEndpoint(self._lifecycle, twilio, reach.url, self._api_key).serve,
                )
            ]
            if twilio
            else []
        )
        self._app = Starlette(
            routes=[
                Route("/healthz", self._health, methods=["GET"]),
                Route("/readyz", self._readiness, methods=["GET"]),
                Route("/openai/webhook", self._webhooks.handle, methods=["POST"]),
                Route("/session", browser.mint, methods=["POST"]),
                Route("/session/attach", browser.attach, methods=["POST"]),
                *streams,
                *routes,
            ],
            lifespan=self._lifespan,
        )

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self._app(scope, receive, send)

    @property
    def draining(self) -> bool:
        """True from ``drain()`` on: no new call is taken."""
        return self._lifecycle.draining

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        # The calls run in the app's own task group, from startup to shutdown; the registry
        # and the API client outlast it, so that a call the shutdown cuts short can still be
        # handed over, rejected or hung up.
        try:
            async with anyio.create_task_group() as outer:
                await outer.start(self.registry.run, self._control)
                async with anyio.create_task_group() as tg:
                    self._lifecycle.tg = tg
                    try:
                        yield
                    finally:
                        with anyio.CancelScope(shield=True):
                            # A drain already run (rtagents serve's, on SIGTERM) gave the
                            # calls their time: this one closes what is left at once.
                            await self.drain(0 if self.draining else None)
                            self._lifecycle.tg = None
                            tg.cancel_scope.cancel()
                outer.cancel_scope.cancel()
        finally:
            with anyio.CancelScope(shield=True):
                await self.api.aclose()

    # -- operations ----------------------------------------------------------------------------

    async def drain(self, grace: float | None = None) -> None:
        """Stop taking calls and let the running ones finish, for at most ``grace``
        seconds (``drain_timeout``); then close the sessions still open, each once its tool
        calls in flight have finished and their outputs are sent. A call still up then is
        handed over to another replica (a ``RedisRegistry``'s, which adopts it at its next
        renewal; if every replica is draining, the first to start) or, where no other
        process can take it, hung up. A call still being set up is given 10 s to open its
        session, and is then drained alike; one that the shutdown cuts short is rejected if
        it was not answered yet, else handed over or hung up. New webhooks are answered 503
        meanwhile (OpenAI retries them, on another replica) and readiness fails."""
        self._lifecycle.draining = True
        grace = self.drain_timeout if grace is None else grace
        if open_calls := len(self._lifecycle.live()):
            # A warning: whoever stops the process sees why it does not stop at once.
            log.warning("draining: %d call(s) open, waiting up to %g s", open_calls, grace)
        with anyio.move_on_after(grace):
            # Calls end in their own tasks; a shutdown can afford to look every 100 ms.
            while self._lifecycle.live():  # noqa: ASYNC110
                await anyio.sleep(0.1)
        await self._lifecycle.close_sessions()  # each call then handed over, or hung up

    async def _health(self, request: Request) -> Response:
        """Liveness: the process answers."""
        return JSONResponse({"status": "ok"})

    async def _readiness(self, request: Request) -> Response:
        """Readiness: running, not draining, and the registry reachable."""
        if self._lifecycle.tg is None:
            return JSONResponse({"status": "starting"}, status_code=503)
        if self.draining:
            return JSONResponse({"status": "draining"}, status_code=503)
        if not await self.registry.ready():
            return JSONResponse({"status": "registry unavailable"}, status_code=503)
        return JSONResponse({"status": "ready", "calls": len(self._lifecycle.live())})

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
        stepping in). On a GPT-Live call, which takes no typed user input, it is commentary:
        the model says it, in its own words (``ValueError`` past what one append holds)."""
        await self._control.run(call_id, "say", {"text": text})

    # -- calls that are up already: a browser's, and those of a replica that died ---------------

    async def _attach_browser(self, call_id: str, agent: Agent) -> Attaching | None:
        """Run ``agent``'s tools on a browser's call, which its page attached: claimed
        first, so that one replica runs them (``None`` when another has it, or had it)."""
        if not await self._lifecycle.claim(call_id, in_flight=True):  # (see browser.md)
            return None
        call = IncomingCall(call_id, source="browser")
        sideband = self._reach.call(call, live=False, ringing=False)
        return sideband, self._lifecycle.start(call, sideband, agent)

    async def _adopt(self, call_id: str, listing: dict[str, Any]) -> bool:
        """A call whose replica died, taken over by this one (the registry's ``adopt``,
        with the call's listing): the agent is chosen again as it was (the router, from
        the call's SIP headers), and a sideband attaches to the call, already accepted.
        True too for a call this replica still runs (its claim had lapsed): it keeps it,
        never gives it away; a record of one it let go (``moved``) or that ended is no bar."""
        if not self._lifecycle.taking_calls:
            return False  # (draining: one it runs is being handed over, not kept)
        here = self.calls.get(call_id)
        if here is not None and here.state in LIVE:
            return True
        headers = listing.get("sip_headers")
        browser = listing.get("source") == "browser"
        call = IncomingCall(
            call_id,
            headers if isinstance(headers, dict) else {},
            source="browser" if browser else "sip",
        )
        kind = self._reach.call(call, live=listing.get("api") == "live", ringing=False)
        a = listing.get("answered_at")  # (a number: its time limit counts from then)
        answered_at = float(a) if isinstance(a, (int, float)) and not isinstance(a, bool) else None
        with adopted_trace(listing.get("trace")):  # (its task, and the call's span, under it)
            self._lifecycle.start(call, kind, self._agent if browser else None, answered_at)
        return True


def _price_book(prices: PriceTable | None, agent: Agent | None) -> PriceBook | None:
    if prices is None:
        return None
    if isinstance(prices, Prices) and agent is None:
        raise ValueError("with route=, give prices by model name: {'gpt-realtime': Prices(...)}")
    # One Prices is the agent's, on whichever API a call reaches it: each model it runs.
    return PriceBook(prices, (agent.model, agent.live.model) if agent is not None else None)
