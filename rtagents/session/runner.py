"""The session runner: drives the sans-I/O core over a transport."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any

import anyio
import anyio.lowlevel
from anyio.abc import TaskGroup

from .. import protocol as p
from ..approvals import ApprovalBroker, ApprovalRequest
from ..errors import SessionClosed, SessionConfigError
from ..mcp import HostedMCP, MCPServer, MCPServerFailed, MCPToolsChanged
from ..tools import Toolset
from ..tracing import SessionTracer, capture_content_default, server_tracing
from .actions import Action, CancelCall, Emit, Send, StartApproval, StartCall, ToolTraits
from .calls import CallOutcome, CallSettings, RunningCall, outcome_of, run_call, stopped_outcome
from .core import SessionCore
from .events import SessionClosed as SessionClosedEvent
from .events import (
    SessionWarning,
    ToolCallAbandoned,
    ToolCallCompleted,
    ToolCallFailed,
    ToolCallStarted,
)
from .invoke import let_go
from .stream import EventStream
from .tooling import hosted_definitions, local_servers, merge
from .transport import Transport, TransportClosed

if TYPE_CHECKING:
    from ..agent import Agent

log = logging.getLogger("rtagents.session")


class SessionRunner:
    """The machinery of a session: its lifecycle, reading frames, acting on the core's
    actions. :class:`RealtimeSession` adds the app's API on top."""

    def __init__(
        self,
        agent: Agent,
        transport: Transport,
        *,
        max_buffered_events: int = 2048,
        max_buffered_bytes: int = 32 * 2**20,
        model: str | None = None,
        trace_content: bool | None = None,
        send_timeout: float | None = 30.0,
        shutdown_grace: float = 2.0,
    ) -> None:
        self.agent = agent
        capture = capture_content_default() if trace_content is None else trace_content
        self.tracer = SessionTracer(agent.name, model or agent.model, capture_content=capture)
        self._configured = False
        self._transport = transport
        self._tools = Toolset(agent.name)
        self._core = SessionCore(self._traits)
        self._tg: TaskGroup | None = None
        # The session's own tasks, each in a scope of its own: the end of the session cancels
        # these, never the task group, whose scope also holds the app's `async with` body.
        self._task_scopes: set[anyio.CancelScope] = set()
        self._stream = EventStream(max_buffered_events, self._spawn, max_bytes=max_buffered_bytes)
        self._deliver = self._stream.deliver if not self.tracer.recording else self._traced_deliver
        self.approvals = ApprovalBroker(agent.approval, self._deliver, self._hosted_labels)
        self._calls: dict[str, RunningCall] = {}
        self._orphans: set[asyncio.Task[Any]] = set()  # tool code abandoned, still running
        self._send_timeout = send_timeout
        self._shutdown_grace = shutdown_grace
        self._dropped = False  # the connection ended without the app asking
        self.fatal: BaseException | None = None
        """A ``SystemExit``/``KeyboardInterrupt`` app code raised in a session task."""
        self._waiters: dict[str, tuple[str, anyio.Event, list[Any]]] = {}
        self.closed_reason: str | None = None
        self.config: dict[str, Any] = {}
        """The session as the server last reported it (``session.updated``)."""
        self.hosted_tools: dict[str, list[p.McpListedTool]] = {}
        """What each hosted MCP server listed, by server label."""

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def id(self) -> str | None:
        """The server's session id (``sess_...``)."""
        return self._core.session_id

    @property
    def tools(self) -> Toolset:
        """The tools this process runs for the model (function tools and local MCP tools)."""
        return self._tools

    async def _start(self, tg: TaskGroup, agent: Agent) -> None:
        self._tg = tg
        self._use(agent)
        await tg.start(self._owned_read)
        await self._configure(agent)

    def _use(self, agent: Agent) -> None:
        """Take the agent's tools: its function tools and its connected MCP servers'."""
        self.agent = agent
        servers = local_servers(agent.tools)
        for server in servers:
            server.on_tools_changed = self._tools_changed
            server.on_failure = self._server_failed
        self._tools, notes = merge(agent.name, agent.local_tools(), servers)
        for note in notes:
            self._deliver(SessionWarning(note))

    def _hosted_labels(self) -> set[str]:
        return {t.server_label for t in self.agent.tools if isinstance(t, HostedMCP)}

    def _tools_changed(self, server: MCPServer) -> None:
        self._spawn(self._refresh_server, server)

    async def _refresh_server(self, server: MCPServer) -> None:
        tools = await server.refresh()
        self._use(self.agent)
        await self._configure(self.agent)
        self._deliver(MCPToolsChanged(server.name, tuple(t.name for t in tools)))

    def _server_failed(self, server: MCPServer, exc: BaseException) -> None:
        self._deliver(MCPServerFailed(server.name, f"{type(exc).__name__}: {exc}"))

    async def _configure(self, agent: Agent) -> None:
        definitions = [t.definition() for t in self._tools] + hosted_definitions(agent.tools)
        update = p.SessionUpdate(
            event_id=self._core.next_event_id(), session=self._session_config(agent, definitions)
        )
        reply = await self._request(update, "session.updated", within=30)
        if isinstance(reply, p.Error):
            raise SessionConfigError(
                f"the server rejected the session configuration: {reply.error.message}",
                param=reply.error.param,
                code=reply.error.code,
            )
        self.config = reply.session.model_dump(exclude_unset=True)

    def _traced_deliver(self, event: Any, size: int = 0) -> None:
        try:
            self.tracer.observe(event)
        except Exception as exc:  # tracing must never cost the session
            log.warning("tracing failed on %s: %s", event.type, _describe(exc))
        self._stream.deliver(event, size)

    def _session_config(self, agent: Agent, definitions: list[Any]) -> p.SessionConfig:
        # The server fixes tracing once it is on, so only the first update carries it.
        if self._configured:
            return agent.session_config(tools=definitions, tracing="omit")
        self._configured = True
        tracing = server_tracing(agent.tracing, self.tracer.session, agent.name)
        return agent.session_config(tools=definitions, tracing=tracing)

    async def close(self) -> None:
        """End the session: pending approvals are denied, running calls cancelled."""
        if self.closed_reason is None:
            await self._finish("closed by the client", error=False)

    async def _let_go(self) -> None:
        """After the session's tasks ended: give abandoned tool code a bounded grace."""
        for task in await let_go(self._orphans, self._shutdown_grace):
            log.warning(
                "tool code still running %g s after the session closed was left behind: %r",
                self._shutdown_grace,
                task.get_coro(),
            )

    async def _finish(self, reason: str, *, error: bool) -> None:
        if self.closed_reason is not None:
            return
        self.closed_reason = reason
        self._dropped = error
        self.approvals.close()
        # Every call in flight is reported now, before session.closed: its output cannot be
        # sent any more, and the app must know which side effects may have happened.
        for running in list(self._calls.values()):
            self._report(running, stopped_outcome(running, self._settings, reason, error))
            running.scope.cancel()
        for _, event, box in self._waiters.values():
            box.append(None)
            event.set()
        with anyio.CancelScope(shield=True), anyio.move_on_after(2):
            try:
                await self._transport.close()
            except Exception as exc:  # already gone
                log.debug("closing the transport: %s", _describe(exc))
        self._deliver(SessionClosedEvent(reason, error))
        self._stream.end()
        self.tracer.end(reason, error)
        for scope in list(self._task_scopes):
            scope.cancel()

    # -- reading -------------------------------------------------------------------------

    async def _owned_read(
        self, *, task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        with self._owned():
            task_status.started()
            await self._read()

    @contextlib.contextmanager
    def _owned(self) -> Iterator[None]:
        scope = anyio.CancelScope()
        self._task_scopes.add(scope)
        try:
            with scope:
                yield
        finally:
            self._task_scopes.discard(scope)

    async def _read(self) -> None:
        try:
            while True:
                frame = await self._transport.recv()
                actions = self._receive(frame)
                if actions:
                    await self._execute(actions)
                    if any(isinstance(a, StartCall) for a in actions):
                        # Let the call start now, not after every frame already buffered
                        # (response.done often arrives in the same read as the arguments).
                        await anyio.lowlevel.checkpoint()
        except TransportClosed as exc:
            await self._finish(exc.reason, error=exc.error)
        except SessionClosed:
            pass
        except Exception as exc:  # a bug of ours: close with the reason, never an exception group
            log.exception("the session's reader failed")
            await self._finish(f"internal error: {_describe(exc)}", error=True)

    def _receive(self, frame: str | bytes) -> list[Action]:
        """One frame in: decoded as leniently as it can be, given to the core, delivered.
        Nothing a frame holds can end the session: what cannot be read becomes a warning."""
        size = len(frame)
        try:
            decoded = p.decode_server_frame(frame)
        except p.ProtocolError as exc:
            self._deliver(
                SessionWarning(
                    f"malformed frame ignored: {exc}",
                    {"event_type": exc.event_type, "frame": _clip(frame)},
                )
            )
            return []
        event = decoded.event
        if isinstance(event, p.UnknownServerEvent):
            self._deliver(
                SessionWarning(
                    f"unknown event type {event.type!r} ignored",
                    {"event_type": event.type, "frame": _clip(frame)},
                )
            )
            return []
        if decoded.dropped:
            self._deliver(
                SessionWarning(
                    f"{event.type}: left out what could not be read: {', '.join(decoded.dropped)}",
                    {"event_type": event.type, "fields": list(decoded.dropped)},
                )
            )
        try:
            if event.type in ("session.created", "session.updated"):
                _redact(event)
            actions = self._core.receive(event)
            if event.type == "conversation.item.done" and isinstance(event.item, p.McpListTools):
                self.hosted_tools[event.item.server_label] = event.item.tools
            self._resolve_waiter(event)
        except Exception as exc:
            log.exception("the session failed on a %s event", event.type)
            actions = [Emit(SessionWarning(f"failed on {event.type}: {_describe(exc)}"))]
        self._deliver(event, size)
        return actions

    def _resolve_waiter(self, event: Any) -> None:
        if not self._waiters:
            return
        if event.type == "error":
            key = event.error.event_id
        else:
            key = next((k for k, (kind, _, _) in self._waiters.items() if kind == event.type), None)
        if key in self._waiters:
            _, done, box = self._waiters.pop(key)
            box.append(event)
            done.set()

    async def _request(self, event: p.WireModel, reply_type: str, *, within: float) -> Any:
        """Send an event and wait for its reply (or the error that names it)."""
        event_id = getattr(event, "event_id", None) or self._core.next_event_id()
        done, box = anyio.Event(), list[Any]()
        self._waiters[event_id] = (reply_type, done, box)
        await self._send(event)
        with anyio.fail_after(within):
            await done.wait()
        if not box or box[0] is None:
            raise SessionClosed(self.closed_reason or "the session closed")
        return box[0]

    # -- acting ----------------------------------------------------------------------------

    async def _execute(self, actions: list[Action]) -> None:
        for action in actions:
            if isinstance(action, Send):
                await self._send(action.event)
            elif isinstance(action, StartCall):
                # Registered before the task runs, so that a cancel right after the
                # started event (a barge-in) finds it.
                running = RunningCall(action, self._tools.get(action.name))
                self._calls[action.work_id] = running
                self._deliver(
                    ToolCallStarted(
                        action.call_id, action.name, action.arguments, action.response_id
                    )
                )
                self._spawn(self._call, running)
            elif isinstance(action, StartApproval):
                self._spawn(self._hosted_approval, action)
            elif isinstance(action, CancelCall):
                target = self._calls.get(action.call_id)
                if target is not None:
                    target.cancel(action.reason)
            elif isinstance(action, Emit):
                self._deliver(action.event)

    async def _send(self, event: p.WireModel) -> None:
        await self._send_text(p.encode_client_event(event))

    async def _send_text(self, frame: str) -> None:
        """Send, or raise :class:`SessionClosed`. A server that stops reading would block a
        send forever: past ``send_timeout`` the session closes, saying so."""
        if self.closed_reason is not None:
            raise SessionClosed(self.closed_reason)
        try:
            if self._send_timeout is None:
                await self._transport.send(frame)
            else:
                with anyio.fail_after(self._send_timeout):
                    await self._transport.send(frame)
        except TransportClosed as exc:
            await self._finish(exc.reason, error=exc.error)
            raise SessionClosed(exc.reason) from None
        except TimeoutError:
            reason = (
                f"sending timed out after {self._send_timeout:g} s (the server stopped reading)"
            )
            await self._finish(reason, error=True)
            raise SessionClosed(reason) from None
        except Exception as exc:  # whatever the transport raised, the app sees our error
            reason = f"sending failed: {_describe(exc)}"
            await self._finish(reason, error=True)
            raise SessionClosed(reason) from None

    def _spawn(self, fn: Callable[..., Awaitable[Any]], *args: Any) -> None:
        if self._tg is not None and self.closed_reason is None:
            self._tg.start_soon(self._guard, fn, *args)

    async def _guard(self, fn: Callable[..., Awaitable[Any]], *args: Any) -> None:
        """Every background task runs here: what escapes it is reported, never raised into
        the task group (where it would end the session as an exception group)."""
        try:
            with self._owned():
                await fn(*args)
        except SessionClosed:
            pass  # the session ended under the task; there is nothing left to tell
        except Exception as exc:
            name = getattr(fn, "__name__", repr(fn))
            log.exception("a session task (%s) failed", name)
            self._deliver(SessionWarning(f"{name} failed: {_describe(exc)}", {"task": name}))
        except anyio.get_cancelled_exc_class():
            raise
        except BaseException as exc:
            # SystemExit or KeyboardInterrupt from app code (a handler): asyncio would throw it
            # through the event loop. The session closes, and connect() raises it on exit.
            self.fatal = self.fatal or exc
            await self._finish(f"{_describe(exc)} was raised in the session", error=True)

    def _traits(self, name: str) -> ToolTraits | None:
        tool = self._tools.get(name)
        return ToolTraits(tool.trigger_response, tool.cancel_on_interrupt) if tool else None

    @property
    def _settings(self) -> CallSettings:
        return CallSettings(
            approvals=self.approvals,
            default_timeout=self.agent.tool_timeout,
            format_failure=self.agent.format_failure,
            max_output_bytes=self.agent.max_tool_output_bytes,
            session=self,
            agent=self.agent,
            orphans=self._orphans,
        )

    async def _call(self, running: RunningCall) -> None:
        call, tool = running.call, running.tool
        settings = self._settings
        outcome = None
        with (
            self.tracer.tool_call(
                call.call_id,
                call.name,
                call.arguments,
                call.response_id,
                tool.server_label if tool else None,
            ) as span,
            running.scope,
        ):
            if call.duplicate:
                outcome = outcome_of(
                    running,
                    "invalid_arguments",
                    f"call_id {call.call_id!r} was already used by an earlier call, so this "
                    "one was not run; call the tool again",
                    settings,
                )
            else:
                outcome = await run_call(running, settings, self._late(running))
        self._calls.pop(call.work_id, None)
        if outcome is None:  # the scope was cancelled: barge-in, deadline or the end
            outcome = stopped_outcome(running, settings, self.closed_reason, self._dropped)
        self.tracer.tool_finished(span, outcome.output, outcome.failure)
        self._report(running, outcome)
        if self.closed_reason is None:
            cancelled = bool(running.cancel_reasons) and outcome.failure is not None
            await self._execute(
                self._core.call_finished(call.work_id, outcome.output, cancelled=cancelled)
            )

    def _report(self, running: RunningCall, outcome: CallOutcome) -> None:
        """``tool.call.completed`` or ``tool.call.failed``: exactly once per call."""
        if running.reported:
            return
        running.reported = True
        call, failure = running.call, outcome.failure
        if failure is None:
            self._deliver(
                ToolCallCompleted(call.call_id, call.name, outcome.output, outcome.duration_s)
            )
        else:
            self._deliver(
                ToolCallFailed(
                    call.call_id,
                    call.name,
                    failure.kind,
                    failure.message,
                    outcome.output,
                    outcome.duration_s,
                    failure.exception,
                )
            )

    def _late(self, running: RunningCall) -> Callable[[Any], None]:
        def late(result: Any) -> None:
            call = running.call
            try:
                output = running.tool.serialize(result) if running.tool else str(result)
            except Exception as exc:
                output = f"(the result could not be serialised: {_describe(exc)})"
            log.warning(
                "tool %s (call %s) finished after its call was given up; its result was not "
                "delivered",
                call.name,
                call.call_id,
            )
            self._deliver(ToolCallAbandoned(call.call_id, call.name, output))

        return late

    async def _hosted_approval(self, action: StartApproval) -> None:
        request = action.request
        listed = {t.name: t for t in self.hosted_tools.get(request.server_label, [])}
        annotations = listed[request.name].annotations if request.name in listed else None
        read_only = annotations.get("readOnlyHint") if isinstance(annotations, dict) else None
        decision = await self.approvals.decide(
            ApprovalRequest.for_hosted(
                request.id,
                request.server_label,
                request.name,
                request.arguments,
                read_only=read_only if isinstance(read_only, bool) else None,
                agent=self.agent,
            )
        )
        await self._execute(
            self._core.approval_decided(request.id, decision.approve, decision.reason)
        )


def _redact(event: Any) -> None:
    """Hosted MCP credentials that a server echoes back never reach the app's events."""
    for tool in getattr(event.session, "tools", None) or []:
        if isinstance(tool, p.McpToolDefinition):
            if tool.authorization:
                tool.authorization = "***"
            if tool.headers:
                tool.headers = {name: "***" for name in tool.headers}


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text:.300}" if text else type(exc).__name__


def _clip(frame: str | bytes, limit: int = 200) -> str:
    text = frame.decode("utf-8", "replace") if isinstance(frame, (bytes, bytearray)) else frame
    return text if len(text) <= limit else text[:limit] + "..."
