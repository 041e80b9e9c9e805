"""The session runner: it carries out the core's actions and owns the session's lifecycle.

Its reader (``reader.read``) feeds each frame to the session's wire adapter (``RealtimeCore``
or ``LiveCore``); the runner does what the core says (send, emit, start or cancel a call,
run a delegation's hook, stop the player, resolve a request) and decides nothing about the
protocol: the connection's state is the core's, sending and reconnecting ``Upstream``'s. It
owns the session's lifecycle: its tasks and its end, within bounds (a grace for tool code).
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, cast

import anyio

from .._redact import redact
from ..approvals.broker import ApprovalBroker
from ..audio.player import GuardedPlayer
from ..errors import SessionClosedError, SessionConfigError, root_cause
from ..tools import Toolset
from ..tracing import capture_content_default
from ..tracing.metrics import SessionMetrics
from ..tracing.observer import SessionTracer
from . import served
from .actions import (
    Action,
    CancelCall,
    Emit,
    EndSession,
    Resolve,
    Send,
    StartApproval,
    StartCall,
    StartDelegation,
    StartTimer,
    StopPlayback,
)
from .adapter import AdapterFactory, WireAdapter
from .back import LazyParts, SessionBack
from .calls import CallSettings
from .delegation import delegate
from .dispatch import Dispatcher
from .events import SessionClosed as SessionClosedEvent
from .events import SessionWarning
from .fixed_audio import speaking
from .journal import Journal
from .metering import PriceBook, UsageMeter
from .observers import Observers
from .offers import Taking
from .page import check_page, check_taken
from .playback import heard_item
from .reader import read
from .realtime import RealtimeCore
from .reconnect import Reconnect
from .states import CLOSED_BY_CLIENT, Link
from .stream import EventStream
from .tasks import SessionTasks, after
from .tooling import merge
from .transport import Transport
from .upstream import Upstream
from .workers import WorkerPool

if TYPE_CHECKING:
    from ..agent import Agent, AudioFormatLike
    from ..audio import AudioPlayer
    from ..tools.context import ToolSession

CONFIGURE_TIMEOUT_S = 30.0  # for the server's answer to a configuration (``configure``)


class SessionRunner(LazyParts):
    """The machinery under a ``RealtimeSession`` (``session``: what its tools are given)."""

    # Class attributes until set (performance.md, "Density"), as LazyParts' parts are.
    fatal: BaseException | None = None
    """A ``SystemExit``/``KeyboardInterrupt`` app code raised in a session task."""
    served_agent: Agent | None = None  # what the server runs (see ``served``)
    served_voice: str | None = None
    page_client = False  # a browser's page is a client of the session (see ``page``)

    def __init__(
        self,
        session: ToolSession,
        agent: Agent,
        transport: Transport,
        *,
        deps: Any = None,
        max_buffered_events: int = 2048,
        max_buffered_bytes: int = 32 * 2**20,
        model: str | None = None,
        trace_content: bool | None = None,
        send_timeout: float | None = 30.0,
        shutdown_grace: float = 2.0,
        reconnect: Reconnect | None = None,
        opener: Callable[[], Awaitable[Transport]] | None = None,
        sideband: bool = False,
        player: AudioPlayer | None = None,
        workers: WorkerPool | None = None,
        adapter: AdapterFactory | None = None,
        prices: PriceBook | None = None,
        audio_format: AudioFormatLike | None = None,
        page_client: bool = False,
    ) -> None:
        self._back = SessionBack(self, session)
        """The parts' one way back to the runner and its session, cut at the end."""
        back = cast(Any, self._back)  # the ports the parts take, looked up on the runner
        self.agent, self.deps = agent, deps
        capture = capture_content_default() if trace_content is None else trace_content
        self.tracer = SessionTracer(agent.name, model or agent.model, capture_content=capture)
        self.metrics = SessionMetrics.of(agent.name)
        self.tools = Toolset(agent.name)
        limits = reconnect or Reconnect()
        journal = Journal(max_items=limits.max_items, max_tokens=limits.max_tokens)
        make = adapter or (lambda traits, j: RealtimeCore(traits, j, sideband=sideband))
        self.core: WireAdapter = make(self._back.traits, journal)
        """The wire adapter of the session's API (``adapter``: how to make it; Realtime's)."""
        self.link = self.core.orchestrator.link
        """The connection's state (the core's): online, offline, replaying, ..., closed."""
        self.tasks = SessionTasks(self._back)
        self.stream = EventStream(
            max_buffered_events, tasks=self.tasks, max_bytes=max_buffered_bytes
        )
        self.stream.metrics = self.metrics
        self.stream.reread = getattr(self.core, "reread", None)
        self.tracer.responses = getattr(self.core, "delegation_response", None)
        self.meter = UsageMeter(model or agent.model, prices)  # session.usage, session.cost
        self.observers = Observers(self.stream, self.meter)
        self._observe()
        self.approvals = ApprovalBroker(
            agent.approval, back.deliver, back.hosted_servers, back.app_exit, agent
        )
        self.workers = workers or WorkerPool()
        self.dispatcher = Dispatcher(
            self._call_settings(),
            self.tools,
            tracer=self.tracer,
            link=self.link,
            answers=back,
            hosted_tools=self.core.hosted_tools,
        )
        self._waiters: dict[str, tuple[anyio.Event, list[Any]]] = {}
        self._shutdown_grace = shutdown_grace
        self._audio = audio_format  # the line's, whatever each agent sets (see ``configure``)
        if page_client:
            self.page_client = True
        self.upstream = Upstream(
            transport,
            self.core,
            back,
            reconnect=reconnect,
            opener=opener,
            send_timeout=send_timeout,
        )
        self._player = GuardedPlayer(player) if player is not None else None

    def release(self) -> None:
        """After the end and the tasks': the parts' way back (``back``) and the app's handlers
        (which may hold the session) are cut; usage, history and buffered events stay."""
        self._back.cut()
        self.observers.hooks = ()
        self.stream.drop_handlers()

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self, agent: Agent) -> None:
        self.tasks.start()
        self.metrics.opened()
        self.use(agent)
        self.tasks.read(read(self))
        await self.configure(agent)
        if self.upstream.renews:
            self.spawn(self.upstream.renew_before_expiry)

    def use(
        self, agent: Agent, keep_for: str | None = None, how: Taking = "switch", back_to: int = 0
    ) -> None:
        """Take the agent: its tools (function tools and its connected MCP servers'), its
        approval policy (none: the default, which denies), and what its calls share.
        ``keep_for``, ``how``, ``back_to``: see ``Offers.take`` and ``Taking``."""
        check_taken(agent, self.page_client)  # (changed in place, it may not run: said now)
        sources = agent.sources  # its tools first: if they cannot be made, nothing is taken
        transfers = self.handoffs.tools(agent) if agent.handoffs or self._handoffs else []
        offered = self.tools if how == "again" else None  # (a relisting: names stay the tools')
        tools, notes = merge(agent.name, sources, transfers, offered=offered)
        before, self.agent, self.tools = self.agent, agent, tools
        if self.core.client_fillers:  # the agent's it runs (a refused switch's: again)
            fillers, after_ms = self.core.orchestrator.fillers, agent.filler_after_ms
            fillers.configure(after_ms, agent.filler_instructions)
        # A relisting (``again``: the same agent, the same policy) keeps what was remembered
        # under it; a refused handoff's way back is another agent's again, and forgets.
        forget = how != "again" or agent is not before or agent.approval is not before.approval
        self.approvals.follow(agent.approval, agent, forget=forget)
        if sources.servers or self._servers is not None:
            self.servers.follow(sources.servers)
        self._observe()
        offers, settings = self.dispatcher.offers, self._call_settings()  # shared by its calls
        offers.take(self.tools, settings, keep_for=keep_for, how=how, back_to=back_to)
        for note in notes:
            self.deliver(SessionWarning(note))

    def _call_settings(self) -> CallSettings:  # (made afresh for each agent taken)
        return CallSettings.of(self.agent, self.approvals, self._back, self.deps, self.workers)

    async def configure(
        self, agent: Agent, *, force: bool = False, voice: str | None = None
    ) -> bool:
        """Send the agent's configuration (``force``: on a connection still being set up,
        ahead of everything held back; ``voice``: in that voice, not the agent's); True once
        taken, False if the connection dropped."""
        if not force and self.link.state is Link.OFFLINE:  # (its reply: the next one's)
            return False  # nothing is sent: the next connection gets the agent then
        check_page(agent, self.page_client)  # (as it is now: it may have changed in place)
        switch, definitions = self.dispatcher.offers.switches, [t.definition() for t in self.tools]
        current = self.agent
        tracing = self.tracer.server_side(agent.tracing, agent.name)
        sent = agent if self._audio is None else speaking(agent, self._audio)  # a line's
        sent = sent if voice is None else dataclasses.replace(sent, voice=voice)
        event_id, actions = self.core.configure(sent, tools=definitions, tracing=tracing)
        self.core.hosted_tools.configuring(sent)  # (sent: whose servers list from its reply on)
        try:
            reply = await self._request(event_id, actions, within=CONFIGURE_TIMEOUT_S, force=force)
        except TimeoutError:
            raise SessionConfigError.unanswered(CONFIGURE_TIMEOUT_S) from None
        if reply is None:
            return False  # the connection dropped: the next one is configured afresh
        if reply.type == "error":
            self.core.hosted_tools.refused()
            raise SessionConfigError.rejected(reply.error, [d.name or "" for d in definitions])
        if self._handoffs is not None:  # answers come in order: the last taken is run
            self._handoffs.served(agent, switch)
        served.took(self, current, sent, reply, voice)
        return True

    async def close(self) -> None:
        """End the session: pending approvals are denied, running calls cancelled."""
        if self.fatal is not None:  # the app asked to stop, and its end has not run yet
            await self.finish(_exited(self.fatal), error=True)
        else:
            await self.finish(CLOSED_BY_CLIENT, error=False)

    async def let_go(self) -> None:
        await self.dispatcher.let_go(self._shutdown_grace)

    async def finish(self, reason: str, *, error: bool) -> None:
        reason = redact(reason)  # it may quote the server (its words may echo a key)
        if not self.link.close(reason, error=error):
            return
        self.observers.hold()  # what the end tells waits, to go out with session.closed last
        try:
            self.tasks.open = False  # no new task from here; the running ones end below
            if self._servers is not None:
                self._servers.stop()
            self.approvals.close()
            self.dispatcher.session_ended(reason, error)
            await self.execute([*self.core.settle(), *self.core.close()])
            await self.upstream.close(self.core.goodbye(), listen=self.tasks.listening())
        finally:
            try:  # whatever telling raises is raised once all is told; the end goes on
                self.deliver(SessionClosedEvent(reason, error))
                self.observers.tell()  # every hold ends
            finally:
                self.stream.end()
                self.tracer.end(reason, error, self.meter.usage, self.meter.cost)
                self.tasks.end()

    # -- requests ------------------------------------------------------------------------

    async def _request(
        self, event_id: str, actions: list[Action], *, within: float, force: bool = False
    ) -> Any:
        """Carry out a request's actions and wait for the reply the core resolves."""
        done, box = anyio.Event(), list[Any]()
        self._waiters[event_id] = (done, box)
        for action in actions:
            if isinstance(action, Send):
                await self.upstream.send(action.event, force=force)
            else:
                await self.execute([action])
        try:
            with anyio.fail_after(within):
                await done.wait()
        finally:
            self._waiters.pop(event_id, None)  # a reply after the wait has nobody to wake
        if not box or box[0] is None:
            if self.link.state is Link.CLOSED or not self.upstream.reconnects:
                raise SessionClosedError(self.link.closed_reason or "the session closed")
            return None  # the connection dropped: the next one is configured afresh
        return box[0]

    # -- acting ----------------------------------------------------------------------------

    async def act(self, actions: list[Action]) -> None:
        """Carry out what the app asked for; ``SessionClosedError`` once the session ended."""
        if self.link.state is Link.CLOSED:
            raise SessionClosedError(self.link.closed_reason or "the session closed")
        await self.execute(actions)

    async def execute(self, actions: list[Action]) -> bool:
        """Carry out ``actions``; True when they started a tool call."""
        started = False
        for action in actions:
            if isinstance(action, Emit):
                self.deliver(action.event, action.size, action.frame)
            elif isinstance(action, Send):
                await self.upstream.send(action.event)
            elif isinstance(action, StartCall):
                self.dispatcher.start(action)
                started = True
            elif isinstance(action, StartApproval):
                self.spawn(self.dispatcher.hosted_approval, action)
            elif isinstance(action, CancelCall):  # a call, or a hosted approval request
                self.dispatcher.cancel(action.call_id, action.reason)
                self.approvals.stop(action.call_id)
            elif isinstance(action, Resolve):
                waiter = self._waiters.pop(action.event_id, None)
                if waiter is not None:
                    waiter[1].append(action.reply)
                    waiter[0].set()
            elif isinstance(action, StopPlayback):
                await self._stop_playback(action)
            elif isinstance(action, StartDelegation):
                self.spawn(self._delegated, action)
            elif isinstance(action, EndSession):
                await self.finish(action.reason, error=action.error)
            elif isinstance(action, StartTimer):  # the core's clock: it never sleeps itself
                self.spawn(after, action.delay_s, self.execute, self.core.timer_fired, action.key)
        return started

    async def _delegated(self, action: StartDelegation) -> None:
        """The agent's ``on_delegation`` hook answers the model's delegation."""
        if (session := self._back.session) is not None:
            with self.dispatcher.owing(action.delegation_id, "on_delegation"):
                await self.execute(await delegate(self.agent, action, session, self.core))

    async def _stop_playback(self, action: StopPlayback) -> None:
        """The player's part of a barge-in: what it played goes to the core (which cuts the
        unheard audio and tells the app), then it stops."""
        player = self._player
        item_id, played = heard_item(player, action)
        await self.execute(self.core.playback_stopped(item_id, played, action.heard_only))
        failed = player.clear(action.item_id) if player is not None else None
        if failed is not None:
            self.deliver(SessionWarning(f"the player failed to clear: {failed}"))

    # The dispatcher's answers (see dispatch.Answers).
    async def output(self, work_id: str, output: str, *, cancelled: bool) -> None:
        await self.execute(self.core.call_finished(work_id, output, cancelled=cancelled))

    async def approval(self, request_id: str, approve: bool, reason: str | None) -> None:
        await self.execute(self.core.approval_decided(request_id, approve, reason))

    async def reconfigure(self) -> bool:  # see upstream.SessionPort
        return await served.reconfigure(self)

    # -- the session's tasks (see tasks.SessionTasks) -------------------------------------------

    def spawn(self, fn: Callable[..., Awaitable[Any]], *args: Any) -> None:
        """Run ``fn(*args)`` as a task of the session's (see ``tasks.SessionTasks.spawn``)."""
        self.tasks.spawn(fn, *args)

    def deliver(self, event: Any, size: int = 0, frame: str | bytes | None = None) -> None:
        """The session's one way out: the observers, then the app (see ``observers``)."""
        self.observers.deliver(event, size, frame)

    def task_failed(self, name: str, exc: Exception) -> None:
        self.deliver(SessionWarning(f"{name} failed: {root_cause(exc)}", {"task": name}))

    def keep_fatal(self, exc: BaseException) -> None:
        self.fatal = self.fatal or exc

    async def task_fatal(self, exc: BaseException) -> None:
        self.fatal = self.fatal or exc
        await self.ended(_exited(exc), error=True)

    async def ended(self, reason: str, *, error: bool) -> None:
        """The end, from one of the session's own tasks: what a sync handler raises past
        ``Exception`` on ``session.closed`` is kept for ``connect`` to raise, never let out."""
        try:
            await self.finish(reason, error=error)
        except (Exception, asyncio.CancelledError):
            raise
        except BaseException as exc:
            self.fatal = self.fatal or exc


def _exited(exc: BaseException) -> str:  # the reason, when app code raised SystemExit, say
    return f"{root_cause(exc)} was raised in the session"
