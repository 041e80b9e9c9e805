"""The session runner: a thin loop that moves frames and carries out the core's actions.

It reads a frame, feeds it to ``SessionCore``, and does what the
core says: send, emit, start or cancel a call, resolve a request. It decides nothing about
the protocol. It owns the session's lifecycle: its tasks, its end, and keeping both within
bounds (a send deadline, a grace period for tool code that will not stop).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import anyio
from anyio.abc import TaskGroup

from .. import protocol as p
from ..approvals import ApprovalPolicy
from ..approvals.broker import ApprovalBroker
from ..audio.player import guarded_played_ms
from ..errors import SessionClosed, SessionConfigError, root_cause
from ..mcp import MCPServer, MCPServerFailed, MCPToolsChanged
from ..tools import Toolset
from ..tracing import capture_content_default
from ..tracing.config import server_tracing
from ..tracing.metrics import SessionMetrics
from ..tracing.observer import SessionTracer
from .actions import (
    Action,
    CancelCall,
    ClearPlayback,
    Emit,
    Resolve,
    Send,
    StartApproval,
    StartCall,
    ToolTraits,
)
from .core import SessionCore
from .dispatch import Dispatcher
from .events import SessionClosed as SessionClosedEvent
from .events import SessionWarning
from .journal import Journal
from .reconnect import Reconnect, Relink
from .stream import EventStream
from .tasks import SessionTasks
from .tooling import merge
from .transport import Transport, TransportClosed
from .workers import WorkerPool

if TYPE_CHECKING:
    from ..agent import Agent
    from ..audio import AudioPlayer

log = logging.getLogger("rtagents.session")


class SessionRunner:
    """The machinery under a ``RealtimeSession`` (its ``owner``)."""

    def __init__(
        self,
        owner: Any,
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
    ) -> None:
        self.owner = owner
        self.agent = agent
        self.deps = deps
        capture = capture_content_default() if trace_content is None else trace_content
        self.tracer = SessionTracer(agent.name, model or agent.model, capture_content=capture)
        self.metrics = SessionMetrics(agent.name)
        self.transport = transport
        self.tools = Toolset(agent.name)
        limits = reconnect or Reconnect()
        self.core = SessionCore(
            self._traits,
            Journal(max_items=limits.max_items, max_tokens=limits.max_tokens),
            sideband=sideband,
        )
        self.tasks = SessionTasks(self._task_failed, self._fatal)
        self.spawn = self.tasks.spawn
        self.stream = EventStream(max_buffered_events, self.spawn, max_bytes=max_buffered_bytes)
        self.stream.on_drop = self.metrics.dropped
        observed = self.tracer.recording or self.metrics.recording
        self.deliver = self._traced_deliver if observed else self.stream.deliver
        self.approvals = ApprovalBroker(agent.approval, self.deliver, self._hosted_labels)
        self.dispatcher = Dispatcher(self, workers or WorkerPool())
        self.closed_reason: str | None = None
        self.dropped = False  # the connection ended without the app asking
        self.fatal: BaseException | None = None
        """A ``SystemExit``/``KeyboardInterrupt`` app code raised in a session task."""
        self._waiters: dict[str, tuple[anyio.Event, list[Any]]] = {}
        self._send_timeout = send_timeout
        self._shutdown_grace = shutdown_grace
        self._subscriptions: list[Callable[[], None]] = []
        self._link = Relink(self, reconnect if opener is not None else None, opener, sideband)
        self._player = player
        if player is not None:
            self.core.turns.played_ms = guarded_played_ms(player)

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self, tg: TaskGroup, agent: Agent) -> None:
        self.tasks.start(tg)
        self.metrics.opened()
        self.use(agent)
        await tg.start(self._owned_read)
        await self.configure(agent)
        self.spawn(self._link.hand_over_before_expiry)

    def use(self, agent: Agent) -> None:
        """Take the agent: its tools (function tools and its connected MCP servers'), its
        approval policy (none: the default, which denies), and what its calls share."""
        self.agent = agent
        self.approvals.policy = agent.approval or ApprovalPolicy()
        self.dispatcher.refresh()
        sources = agent.sources
        for unsubscribe in self._subscriptions:
            unsubscribe()
        self._subscriptions = [server.subscribe(self) for server in sources.servers]
        self.tools, notes = merge(agent.name, sources.functions, sources.servers)
        for note in notes:
            self.deliver(SessionWarning(note))

    async def configure(self, agent: Agent, *, force: bool = False) -> bool:
        """Send the agent's configuration (``force``: on a connection still being set up,
        ahead of everything held back) and wait for the server's answer."""
        hosted = [config.definition() for config in agent.sources.hosted]
        definitions = [t.definition() for t in self.tools] + hosted
        tracing = server_tracing(agent.tracing, self.tracer.session, agent.name)
        config = agent.session_config(tools=definitions, tracing=tracing)
        event_id, actions = self.core.update_session(config)
        reply = await self._request(event_id, actions, within=30, force=force)
        return self._configured(reply)

    def _configured(self, reply: Any) -> bool:
        """True when the server took the configuration; raises when it refused it."""
        if reply is None:
            return False
        if isinstance(reply, p.Error):
            raise SessionConfigError(
                f"the server rejected the session configuration: {reply.error.message}",
                param=reply.error.param,
                code=reply.error.code,
            )
        return True

    async def close(self) -> None:
        """End the session: pending approvals are denied, running calls cancelled."""
        if self.closed_reason is None:
            await self._finish("closed by the client", error=False)

    async def let_go(self) -> None:
        await self.dispatcher.let_go(self._shutdown_grace)

    async def _finish(self, reason: str, *, error: bool) -> None:
        if self.closed_reason is not None:
            return
        self.closed_reason = reason
        self.dropped = error
        self.tasks.open = False  # no new task from here; the running ones end below
        for unsubscribe in self._subscriptions:
            unsubscribe()
        self.approvals.close()
        self.dispatcher.session_ended(reason, error)
        await self.execute(self.core.close())
        with anyio.CancelScope(shield=True), anyio.move_on_after(2):
            try:
                await self.transport.close()
            except Exception as exc:  # already gone
                log.debug("closing the transport: %s", root_cause(exc))
        self.deliver(SessionClosedEvent(reason, error))
        self.stream.end()
        self.tracer.end(reason, error)
        self.tasks.end()

    # -- local MCP servers ---------------------------------------------------------------------

    def _hosted_labels(self) -> set[str]:
        return {config.server_label for config in self.agent.sources.hosted}

    # The listener of the servers this session uses (see MCPServer.subscribe).
    def tools_changed(self, server: MCPServer) -> None:
        self.spawn(self._refresh_server, server)

    def server_failed(self, server: MCPServer, exc: BaseException) -> None:
        self.deliver(MCPServerFailed(server.name, f"{type(exc).__name__}: {exc}"))

    async def _refresh_server(self, server: MCPServer) -> None:
        tools = await server.refresh()
        self.use(self.agent)
        await self.configure(self.agent)
        self.deliver(MCPToolsChanged(server.name, tuple(t.name for t in tools)))

    def _traits(self, name: str) -> ToolTraits | None:
        tool = self.tools.get(name)
        return ToolTraits(tool.trigger_response, tool.cancel_on_interrupt) if tool else None

    # -- reading -------------------------------------------------------------------------

    async def _owned_read(
        self, *, task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        with self.tasks.owned():
            task_status.started()
            await self._read()

    async def _read(self) -> None:
        try:
            while True:
                try:
                    frame = await self.transport.recv()
                except TransportClosed as exc:
                    if await self._link.recover(exc):
                        continue
                    raise
                if await self.execute(self.core.receive_frame(frame)):
                    # Let the call start now, not after every frame already buffered
                    # (response.done often arrives in the same read as the arguments).
                    # The session runs on asyncio (websockets needs it): its own yield
                    # costs less than anyio's, which looks the backend up each time.
                    await asyncio.sleep(0)
        except TransportClosed as exc:
            gave_up = self._link.gave_up
            await self._finish(gave_up or exc.reason, error=exc.error or bool(gave_up))
        except SessionClosed:
            pass
        except Exception as exc:  # a bug of ours: close with the reason, never an exception group
            log.exception("the session's reader failed")
            await self._finish(f"internal error: {root_cause(exc)}", error=True)

    async def _request(
        self, event_id: str, actions: list[Action], *, within: float, force: bool = False
    ) -> Any:
        """Carry out a request's actions and wait for the reply the core resolves."""
        done, box = anyio.Event(), list[Any]()
        self._waiters[event_id] = (done, box)
        for action in actions:
            if isinstance(action, Send):
                await self._send(action.event, force=force)
            else:
                await self.execute([action])
        with anyio.fail_after(within):
            await done.wait()
        if not box or box[0] is None:
            if self.closed_reason is not None or not self._link.enabled:
                raise SessionClosed(self.closed_reason or "the session closed")
            return None  # the connection dropped: the next one is configured afresh
        return box[0]

    # -- acting ----------------------------------------------------------------------------

    async def execute(self, actions: list[Action]) -> bool:
        """Carry out ``actions``; True when they started a tool call."""
        started = False
        for action in actions:
            if isinstance(action, Emit):
                self.deliver(action.event, action.size)
            elif isinstance(action, Send):
                await self._send(action.event)
            elif isinstance(action, StartCall):
                self.dispatcher.start(action)
                started = True
            elif isinstance(action, StartApproval):
                self.spawn(self.dispatcher.hosted_approval, action)
            elif isinstance(action, CancelCall):
                self.dispatcher.cancel(action.call_id, action.reason)
            elif isinstance(action, Resolve):
                waiter = self._waiters.pop(action.event_id, None)
                if waiter is not None:
                    waiter[1].append(action.reply)
                    waiter[0].set()
            elif isinstance(action, ClearPlayback) and self._player is not None:
                try:
                    self._player.clear()
                except Exception as exc:  # the app's player must not cost the session
                    self.deliver(SessionWarning(f"the player failed to clear: {root_cause(exc)}"))
        return started

    async def _send(self, event: p.WireModel | str, *, force: bool = False) -> None:
        """Send, or raise ``SessionClosed``. A server that stops reading would block a
        send forever: past ``send_timeout`` the session closes, saying so.

        While the connection is down, an item we create goes in the journal (the next
        connection gets it in the replay) and anything else is dropped: a new connection
        is configured afresh and asks for the responses still owed. ``force`` sends on a
        connection being set up, ahead of everything held back."""
        if self.closed_reason is not None:
            raise SessionClosed(self.closed_reason)
        transport = self.transport
        if not force:
            self.core.sent(event)
            link = self._link
            if link.offline:
                return
            if link.gate is not None:  # the conversation is being given back first
                epoch = link.epoch
                await link.gate.wait()
                if link.offline or epoch != link.epoch:
                    return  # dropped again meanwhile: the replay holds it
                transport = self.transport
        frame = event if isinstance(event, str) else p.encode_client_event(event)
        try:
            # A send can only hang when the peer stops reading and the buffer fills: only
            # then is it timed (a time limit costs as much as the send itself).
            wont_block = getattr(transport, "send_wont_block", None)
            if self._send_timeout is None or (wont_block is not None and wont_block(frame)):
                await transport.send(frame)
            else:
                with anyio.fail_after(self._send_timeout):
                    await transport.send(frame)
        except TransportClosed as exc:
            if self._link.recoverable(exc):
                await self._link.lost(transport)  # the reader reconnects
                return
            if self._link.enabled and self.closed_reason is None:
                # A close the reader has not reached yet: what the server said before it
                # (a ``session_expired``, at the time cap) decides whether the session
                # reconnects, so the reader decides. What this send held is journaled.
                return
            await self._finish(exc.reason, error=exc.error)
            raise SessionClosed(exc.reason) from None
        except TimeoutError:
            reason = (
                f"sending timed out after {self._send_timeout:g} s (the server stopped reading)"
            )
            await self._finish(reason, error=True)
            raise SessionClosed(reason) from None
        except Exception as exc:  # whatever the transport raised, the app sees our error
            reason = f"sending failed: {root_cause(exc)}"
            await self._finish(reason, error=True)
            raise SessionClosed(reason) from None

    async def send_now(self, action: Action) -> None:
        """Send on a connection being set up, ahead of everything held back."""
        if isinstance(action, Send):
            await self._send(action.event, force=True)

    async def close_with(self, reason: str) -> None:
        """End the session for a reason of its own (an error)."""
        await self._finish(reason, error=True)

    def _traced_deliver(self, event: Any, size: int = 0) -> None:
        try:
            self.tracer.observe(event)
            self.metrics.observe(event)
        except Exception as exc:  # tracing must never cost the session
            log.warning("tracing failed on %s: %s", event.type, root_cause(exc))
        self.stream.deliver(event, size)

    # -- the session's tasks (see tasks.SessionTasks) -------------------------------------------

    def _task_failed(self, name: str, exc: Exception) -> None:
        self.deliver(SessionWarning(f"{name} failed: {root_cause(exc)}", {"task": name}))

    async def _fatal(self, exc: BaseException) -> None:
        self.fatal = self.fatal or exc
        await self._finish(f"{root_cause(exc)} was raised in the session", error=True)
