"""The one way back to a session's runner from its parts, cut when the session is over.

The runner owns its parts (the stream, the tasks, the dispatcher, the approvals broker, the
connection, ...), and each part needs a way back: to deliver an event, spawn a task, learn
a tool's traits, hand an output in. Given the runner itself (or its bound methods), each
part would close a reference cycle with it, and a closed session would be garbage that only
a full collection frees: after ``gc.freeze()`` (see docs/deployment.md), never. The parts
get this small object instead, which the runner cuts (``cut``) once the session and its
tasks have ended: from then on a closed session is freed by reference counting alone, as
soon as the app lets go of it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, cast

from . import served
from .actions import ToolTraits
from .guards import SessionGuards, guarding
from .handoff import Handoffs
from .servers import ServerWatch

if TYPE_CHECKING:
    from ..agent import Agent
    from ..mcp.hosted import HostedMCP
    from ..tools.context import ToolSession
    from ..tracing.metrics import SessionMetrics
    from ..tracing.observer import SessionTracer
    from .actions import Action
    from .observers import Observers


class SessionBack:
    """The runner and its ``RealtimeSession``, for the session's parts (``None`` once cut).

    The methods the parts keep (``deliver``, ``spawn``, ``traits``, ...) are this object's,
    so a part never holds the runner; other attributes are the runner's, looked up on use.
    """

    __slots__ = ("runner", "session")

    def __init__(self, runner: Any, session: ToolSession[Any]) -> None:
        # The ``runner.SessionRunner`` (not named here: it imports this module).
        self.runner: Any = runner
        self.session: ToolSession[Any] | None = session

    def cut(self) -> None:
        """The session is over: its parts no longer reach the runner (nor its session)."""
        self.runner = self.session = None

    def __getattr__(self, name: str) -> Any:
        runner = self.runner  # (a slot: never looked up here)
        if runner is None:
            raise AttributeError(f"the session is over: no {name!r}")
        return getattr(runner, name)

    # What the parts keep and call.
    def deliver(self, event: Any, size: int = 0, frame: str | bytes | None = None) -> None:
        if self.runner is not None:
            self.runner.observers.deliver(event, size, frame)

    def spawn(self, fn: Callable[..., Awaitable[Any]], *args: Any) -> None:
        if self.runner is not None:
            self.runner.tasks.spawn(fn, *args)

    def hold(self) -> int:
        return self.runner.observers.hold() if self.runner is not None else 0

    def tell(self, hold: int = 0) -> None:
        if self.runner is not None:
            self.runner.observers.tell(hold)

    def traits(self, name: str, response_id: str | None) -> ToolTraits | None:
        """How a call of ``name`` in ``response_id`` acts: by the tools it is offered."""
        runner = self.runner
        tool = runner.dispatcher.offers.of(response_id)[0].get(name) if runner else None
        return ToolTraits(tool.trigger_response, tool.cancel_on_interrupt) if tool else None

    def hosted_servers(self) -> Mapping[str, HostedMCP]:
        runner = self.runner
        return {c.server_label: c for c in runner.agent.sources.hosted} if runner else {}

    def task_failed(self, name: str, exc: Exception) -> None:
        if self.runner is not None:
            self.runner.task_failed(name, exc)

    async def task_fatal(self, exc: BaseException) -> None:
        if self.runner is not None:
            await self.runner.task_fatal(exc)

    def keep_fatal(self, exc: BaseException) -> None:
        if self.runner is not None:
            self.runner.keep_fatal(exc)

    def app_exit(self, exc: BaseException) -> None:
        """App code raised ``exc`` where it cannot be raised: the session ends, and
        ``connect`` raises it (see ``tasks.SessionTasks.fatal``)."""
        if self.runner is not None:
            self.runner.tasks.fatal(exc)

    async def execute(self, actions: list[Action]) -> bool:
        return await self.runner.execute(actions) if self.runner is not None else False

    async def output(self, work_id: str, output: str, *, cancelled: bool) -> None:
        if self.runner is not None:
            await self.runner.output(work_id, output, cancelled=cancelled)

    async def approval(self, request_id: str, approve: bool, reason: str | None) -> None:
        if self.runner is not None:
            await self.runner.approval(request_id, approve, reason)

    async def reconfigure(self) -> bool:
        return await self.runner.reconfigure() if self.runner is not None else False

    def will_run(self, agent: Agent, voice: str) -> None:
        """A handoff made while the connection was down: the next connection is given
        ``agent`` in ``voice``, the one the user heard (see ``served``)."""
        if self.runner is not None:
            served.took(self.runner, agent, agent, None, voice)

    async def finish(self, reason: str, *, error: bool) -> None:
        if self.runner is not None:
            await self.runner.finish(reason, error=error)


class LazyParts:
    """The runner's parts that only some agents need, made for the first that does: an idle
    session of an agent without guardrails, handoffs or local MCP servers keeps none; and
    the hooks on its events it pays for (``_observe``)."""

    _back: SessionBack
    agent: Agent
    tracer: SessionTracer
    metrics: SessionMetrics
    observers: Observers
    _guards: SessionGuards | None = None
    _handoffs: Handoffs | None = None
    _servers: ServerWatch | None = None

    @property
    def guards(self) -> SessionGuards:
        """The agent's guardrails at work."""
        if self._guards is None:
            self._guards = SessionGuards(cast(Any, self._back))
        return self._guards

    @property
    def handoffs(self) -> Handoffs:
        """The session's handoffs."""
        if self._handoffs is None:
            self._handoffs = Handoffs(cast(Any, self._back))
        return self._handoffs

    @property
    def servers(self) -> ServerWatch:
        """The agent's local MCP servers, watched."""
        if self._servers is None:
            self._servers = ServerWatch(cast(Any, self._back))
        return self._servers

    def _observe(self) -> None:
        """The hooks the session pays for now (``observers``): tracing, guardrails, handoffs."""
        tracing = self.tracer.recording or self.metrics.recording
        self.observers.hooks = (
            *((self._trace,) if tracing else ()),
            *((self.guards.see,) if guarding(self.agent, self._guards) else ()),
            *((self.handoffs.see,) if self._handoffs and self._handoffs.watching else ()),
        )

    def _trace(self, event: Any) -> None:
        try:
            self.tracer.observe(event)
        finally:  # what the tracer's SDK raises costs its spans, not the metrics
            self.metrics.observe(event)
