"""The session runner: drives the sans-I/O core over a transport."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
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
from .calls import run_call, stopped_outcome
from .core import SessionCore
from .events import SessionClosed as SessionClosedEvent
from .events import SessionWarning, ToolCallCompleted, ToolCallFailed, ToolCallStarted
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
        model: str | None = None,
        trace_content: bool | None = None,
    ) -> None:
        self.agent = agent
        capture = capture_content_default() if trace_content is None else trace_content
        self.tracer = SessionTracer(agent.name, model or agent.model, capture_content=capture)
        self._configured = False
        self._transport = transport
        self._tools = Toolset(agent.name)
        self._core = SessionCore(self._traits)
        self._tg: TaskGroup | None = None
        self._stream = EventStream(max_buffered_events, self._spawn)
        self._deliver = self._stream.deliver if not self.tracer.recording else self._traced_deliver
        self.approvals = ApprovalBroker(agent.approval, self._deliver, self._hosted_labels)
        self._calls: dict[str, tuple[anyio.CancelScope, list[str]]] = {}
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
        await tg.start(self._read)
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

    def _traced_deliver(self, event: Any) -> None:
        self.tracer.observe(event)
        self._stream.deliver(event)

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

    async def _finish(self, reason: str, *, error: bool) -> None:
        if self.closed_reason is not None:
            return
        self.closed_reason = reason
        self.approvals.close()
        for scope, _ in list(self._calls.values()):
            scope.cancel()
        for _, event, box in self._waiters.values():
            box.append(None)
            event.set()
        with anyio.CancelScope(shield=True), contextlib.suppress(Exception):  # already gone
            await self._transport.close()
        self._deliver(SessionClosedEvent(reason, error))
        self._stream.end()
        self.tracer.end(reason, error)
        if self._tg is not None:
            self._tg.cancel_scope.cancel()

    # -- reading -------------------------------------------------------------------------

    async def _read(
        self, *, task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        task_status.started()
        try:
            while True:
                frame = await self._transport.recv()
                try:
                    event = p.decode_server_event(frame)
                except p.ProtocolError as exc:
                    self._deliver(
                        SessionWarning(
                            f"malformed frame ignored: {exc}",
                            {"event_type": exc.event_type, "frame": _clip(frame)},
                        )
                    )
                    continue
                if isinstance(event, p.UnknownServerEvent):
                    self._deliver(
                        SessionWarning(
                            f"unknown event type {event.type!r} ignored", {"event": event.raw}
                        )
                    )
                    continue
                if event.type in ("session.created", "session.updated"):
                    _redact(event)
                actions = self._core.receive(event)
                if event.type == "conversation.item.done" and isinstance(
                    event.item, p.McpListTools
                ):
                    self.hosted_tools[event.item.server_label] = event.item.tools
                self._resolve_waiter(event)
                self._deliver(event)
                if actions:
                    await self._execute(actions)
                    if any(isinstance(a, StartCall) for a in actions):
                        # Let the call start now, not after every frame already buffered
                        # (response.done often arrives in the same read as the arguments).
                        await anyio.lowlevel.checkpoint()
        except TransportClosed as exc:
            await self._finish(exc.reason, error=exc.error)

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
                self._calls[action.call_id] = (anyio.CancelScope(), [])
                self._deliver(
                    ToolCallStarted(
                        action.call_id, action.name, action.arguments, action.response_id
                    )
                )
                self._spawn(self._call, action)
            elif isinstance(action, StartApproval):
                self._spawn(self._hosted_approval, action)
            elif isinstance(action, CancelCall):
                running = self._calls.get(action.call_id)
                if running is not None:
                    running[1].append(action.reason)
                    running[0].cancel()
            elif isinstance(action, Emit):
                self._deliver(action.event)

    async def _send(self, event: p.WireModel) -> None:
        await self._send_text(p.encode_client_event(event))

    async def _send_text(self, frame: str) -> None:
        if self.closed_reason is not None:
            raise SessionClosed(self.closed_reason)
        try:
            await self._transport.send(frame)
        except TransportClosed as exc:
            await self._finish(exc.reason, error=exc.error)
            raise SessionClosed(exc.reason) from None

    def _spawn(self, fn: Callable[..., Awaitable[Any]], *args: Any) -> None:
        if self._tg is not None and self.closed_reason is None:
            self._tg.start_soon(self._guard, fn, *args)

    async def _guard(self, fn: Callable[..., Awaitable[Any]], *args: Any) -> None:
        # The session may end under a task; then there is nothing left to tell.
        with contextlib.suppress(SessionClosed):
            await fn(*args)

    def _traits(self, name: str) -> ToolTraits | None:
        tool = self._tools.get(name)
        return ToolTraits(tool.trigger_response, tool.cancel_on_interrupt) if tool else None

    async def _call(self, call: StartCall) -> None:
        tool = self._tools.get(call.name)
        started = time.perf_counter()
        scope, reasons = self._calls[call.call_id]
        outcome = None
        with (
            self.tracer.tool_call(
                call.call_id,
                call.name,
                call.arguments,
                call.response_id,
                tool.server_label if tool else None,
            ) as span,
            scope,
        ):
            outcome = await run_call(
                call,
                tool,
                scope=scope,
                approvals=self.approvals,
                default_timeout=self.agent.tool_timeout,
                format_failure=self.agent.format_failure,
                session=self,
                agent=self.agent,
            )
        self._calls.pop(call.call_id, None)
        cancelled = bool(scope.cancel_called and reasons)
        if scope.cancel_called:
            if self.closed_reason is not None:
                return
            if reasons:  # a barge-in or interrupt()
                message = f"the call was cancelled: {reasons[0]}"
                outcome = stopped_outcome(
                    call, tool, "cancelled", message, started, self.agent.format_failure
                )
            else:  # the deadline set after approval passed
                timeout = (tool.timeout if tool else None) or self.agent.tool_timeout
                outcome = stopped_outcome(
                    call,
                    tool,
                    "timeout",
                    f"no result after {timeout:g} s",
                    started,
                    self.agent.format_failure,
                )
        assert outcome is not None
        failure = outcome.failure
        self.tracer.tool_finished(span, outcome.output, failure)
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
        await self._execute(
            self._core.call_finished(call.call_id, outcome.output, cancelled=cancelled)
        )

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


def _clip(frame: str | bytes, limit: int = 200) -> str:
    text = frame.decode("utf-8", "replace") if isinstance(frame, (bytes, bytearray)) else frame
    return text if len(text) <= limit else text[:limit] + "..."
