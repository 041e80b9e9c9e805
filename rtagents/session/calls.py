"""Running one tool call: lookup, argument checks, approval, timeout, result or failure."""

from __future__ import annotations

import asyncio
import copy
import logging
import math
import time
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from opentelemetry.trace import Span

from .._redact import redact
from ..approvals import ApprovalPolicy, ApprovalRequest
from ..approvals.broker import ApprovalBroker
from ..approvals.verdict import why_denied
from ..errors import SessionClosedError, first_error, root_cause
from ..mcp.hosted import HostedMCP
from ..tools import (
    BaseTool,
    ToolArgumentsError,
    ToolContext,
    ToolFailure,
    default_failure_formatter,
)
from ..tools.base import over_limit
from ..tools.context import ToolAgent, ToolSession, report_progress_to
from ..tools.failures import (
    FailureFormatter,
    FailureKind,
    ToolCrashed,
    ToolOutputTooLarge,
    ToolUnavailable,
    hide_details,
)
from .actions import StartCall
from .invoke import invoke
from .workers import NoWorkerFree, WorkerPool

log = logging.getLogger("rtagents.session")

if TYPE_CHECKING:
    from ..agent import Agent


class CallOutcome(NamedTuple):
    """What a call came to: the output the model reads, and the failure if there was one.
    (A named tuple: made once per call, on the hot path.)"""

    output: str
    failure: ToolFailure | None
    duration_s: float


@dataclass(eq=False, slots=True)
class RunningCall:
    """One call from its start to its output: the one record the runner keeps of it."""

    call: StartCall
    tool: BaseTool | None
    settings: CallSettings
    """What it shares with the other calls of its agent (see ``Offers.take``)."""
    span: Span | None = None
    """Its tracing span, or ``None`` when nothing records."""
    task: asyncio.Task[None] | None = None
    """The task running it: parsing, approval, the tool's code, the output's send."""
    deadline: asyncio.TimerHandle | None = None
    cancel_reasons: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)
    answered: bool = False
    """True once its outcome is decided and reported, from its task or from outside it (a
    deadline, a barge-in, the session's end): whatever its code does later is too late."""

    @property
    def timeout_for(self) -> float | None:
        return self.tool.timeout if self.tool else None


@dataclass(frozen=True)
class CallSettings:
    """What every call of a session shares."""

    approvals: ApprovalBroker
    policy: ApprovalPolicy
    """The approval policy of ``agent``, which decides its calls (``approvals`` asks it):
    the session's own, until a handoff. A call of the response made for the agent before
    is still decided by that agent's."""
    hosted: Mapping[str, HostedMCP]
    """``agent``'s hosted MCP servers, by label: what its hosted requests are checked
    against, with its policy."""
    default_timeout: float
    format_failure: FailureFormatter | None
    max_output_bytes: int
    holder: SessionHolder
    """Where the session is (``session``): the runner's way back, cut at the end, so that
    the settings a call keeps never hold a closed session in a reference cycle."""
    agent: ToolAgent
    deps: Any
    """What the app passed as ``connect(..., deps=)``: its own type, unknown here."""
    workers: WorkerPool
    """The session's threads for sync tools."""

    @classmethod
    def of(
        cls,
        agent: Agent,
        approvals: ApprovalBroker,
        holder: SessionHolder,
        deps: Any,
        workers: WorkerPool,
    ) -> CallSettings:
        """The settings of ``agent``'s calls (made once when the session takes it, not per
        call)."""
        return cls(
            approvals=approvals,
            policy=approvals.policy,  # the agent's, taken by the broker just before
            hosted={config.server_label: config for config in agent.sources.hosted},
            default_timeout=agent.tool_timeout,
            format_failure=agent.format_failure,
            max_output_bytes=agent.max_tool_output_bytes,
            holder=holder,
            agent=agent,
            deps=deps,
            workers=workers,
        )

    @property
    def session(self) -> ToolSession[Any]:
        """The session the calls run in (what ``ctx.session`` gives a tool)."""
        session = self.holder.session
        if session is None:
            raise SessionClosedError("the session is over")
        return session


class SessionHolder(Protocol):
    """Holds a session until it is over (``session.back.SessionBack``)."""

    @property
    def session(self) -> ToolSession[Any] | None: ...


class CallWatcher(Protocol):
    """What a call tells the dispatcher while it runs."""

    def started(self, running: RunningCall, arguments: dict[str, Any]) -> None:
        """Its arguments are valid (``arguments`` as the tool receives them):
        ``tool.call.started``."""

    def start_clock(self, running: RunningCall, time_limit: float) -> None:
        """Its tool's code starts now, with ``time_limit`` seconds to give a result."""

    def late(self, running: RunningCall, result: Any) -> None:
        """A thread tool's result, which counts only if the call was given up."""

    async def progress(self, call_id: str, text: str) -> None:
        """A progress update of the call's tool (``ctx.progress``)."""

    @property
    def progress_sink(self) -> WeakProgress:
        """``progress``, as the call's task hands it on (see ``WeakProgress``)."""

    async def backgrounded(self, running: RunningCall) -> None:
        """A background tool's code starts now: the call is answered "started" first."""


class WeakProgress:
    """A watcher's ``progress``, holding the watcher weakly. It travels in the call's
    context, which libraries copy into objects of their own that outlive the call (an MCP
    client's messages, in reference cycles): a strong reference there would keep the whole
    session (its deps, tools, tracer) alive until a full collection, or for good once the
    heap was frozen (``gc.freeze()``, ``rtagents serve --refreeze``). The session's end
    leaves it pointing nowhere: an update after it goes nowhere."""

    __slots__ = ("_watcher",)

    def __init__(self, watcher: CallWatcher) -> None:
        self._watcher = weakref.ref(watcher)

    async def __call__(self, call_id: str, text: str) -> None:
        watcher = self._watcher()
        if watcher is not None:
            await watcher.progress(call_id, text)


def outcome_of(
    running: RunningCall,
    kind: FailureKind,
    message: str,
    settings: CallSettings,
    exc: BaseException | None = None,
) -> CallOutcome:
    """The output the model reads for a call that produced no result (the app's event has
    the whole ``message``; the model's output fits ``max_output_bytes``)."""
    tool = running.tool
    # What the call failed with may echo a credential the session holds (a server quoting
    # its header, a library its URL): masked, in the event, the span and the model's output.
    message = redact(message)
    failure = ToolFailure(kind, running.call.name, message, exc)
    formatter = (tool.format_failure if tool else None) or settings.format_failure
    limit = settings.max_output_bytes
    output = _formatted(formatter, failure, running.call.name)
    if over_limit(output, limit):
        # A failure's text past the limit (an exception carrying a whole file, say) would be
        # a frame the server refuses, and the call never answered: its message is clipped.
        keep = limit // 8
        clipped = f"{message[:keep]}... (clipped: {len(message)} characters in all)"
        output = _formatted(formatter, ToolFailure(kind, failure.tool_name, clipped, exc), "")
        if over_limit(output, limit):
            output = hide_details(failure)
    return CallOutcome(output, failure, time.perf_counter() - running.started)


def _formatted(formatter: FailureFormatter | None, failure: ToolFailure, name: str) -> str:
    if formatter is None:
        return default_failure_formatter(failure)
    try:
        output = formatter(failure)
        if not isinstance(output, str):
            raise TypeError(f"it returned {type(output).__name__}, not str")
        return output
    except Exception:
        # The app's formatter may be there to keep details from the model: the one in its
        # place tells no more than the kind of failure.
        if name:
            log.exception("format_failure of tool %r failed", name)
        return hide_details(failure)


async def run_call(
    running: RunningCall, settings: CallSettings, watcher: CallWatcher
) -> CallOutcome:
    """Run a call to completion. Every way it can go wrong becomes an output the model reads;
    a cancellation of its task (barge-in, timeout, close) propagates to the caller."""
    call, tool = running.call, running.tool

    def fail(kind: FailureKind, message: str, exc: BaseException | None = None) -> CallOutcome:
        return outcome_of(running, kind, message, settings, exc)

    if tool is None:
        return fail("unknown_tool", f"there is no tool named {call.name!r}")
    try:
        parsed = tool.parse_arguments(call.arguments)
    except ToolArgumentsError as exc:
        return fail("invalid_arguments", str(exc))
    arguments = tool.arguments_dict(parsed)
    # The call's record (its event, its approval request) keeps what the model sent, as
    # validated: a tool that works on an argument in place must not rewrite it afterwards.
    recorded = _copied(arguments)
    watcher.started(running, recorded)
    ctx: ToolContext[Any] = ToolContext(
        call.call_id, call.name, arguments, settings.session, settings.agent, settings.deps
    )
    report_progress_to(watcher.progress_sink)  # this task is the call's own (ctx.progress)
    approvals = settings.approvals
    if not approvals.waives(tool.needs_approval) or settings.policy.denies:
        decision = await approvals.authorize(
            lambda: ApprovalRequest.for_call(
                call.call_id,
                call.name,
                recorded,
                server_label=tool.server_label,
                read_only=tool.read_only,
                agent=settings.agent,
                server_tool_name=tool.server_tool_name,
            ),
            tool.needs_approval,
            ctx,
            settings.policy,
        )
        if decision.approve is not True:
            return fail("denied", f"the call was not approved: {why_denied(decision)}")

    if tool.background is not None:
        await watcher.backgrounded(running)  # its work goes on here (see background.py)
    # The clock starts when the tool's code does, after approval. Background work has its
    # own limit only (the agent's is for calls the model waits on), a free thread's wait too.
    unbounded = math.inf if tool.background is not None else settings.default_timeout
    time_limit = tool.timeout or unbounded
    limit = settings.max_output_bytes
    try:
        result = await invoke(
            tool,
            parsed,
            ctx,
            workers=settings.workers,
            time_limit=time_limit,
            start_clock=lambda: watcher.start_clock(running, time_limit),
            on_late=lambda result: watcher.late(running, result),
            output_limit=limit,
        )
        output = tool.output(result, limit)  # a thread tool's result is its output already
    except ToolOutputTooLarge as exc:
        return fail(
            "too_large",
            f"the result is at least {_mib(exc.size)} MiB; the limit is {_mib(limit)} MiB",
        )
    except NoWorkerFree as exc:
        return fail("timeout", str(exc))
    except ToolCrashed as exc:
        raised = exc.__cause__ or exc
        return fail("error", root_cause(raised, None), raised)
    except Exception as exc:
        # A task group's failure is told by its first error, not "unhandled errors in a
        # TaskGroup"; a ToolUnavailable (a local MCP server that died, say) as unavailable.
        unavailable = isinstance(first_error(exc), ToolUnavailable)
        kind: FailureKind = "unavailable" if unavailable else "error"
        return fail(kind, root_cause(exc, None), exc)
    return CallOutcome(output, None, time.perf_counter() - running.started)


def _copied(arguments: dict[str, Any]) -> dict[str, Any]:
    if not arguments:
        return {}
    try:
        return copy.deepcopy(arguments)
    except Exception:  # a value that cannot be copied (a model of the app's holding a lock)
        return dict(arguments)


def stopped_outcome(
    running: RunningCall, settings: CallSettings, closing: str | None, dropped: bool
) -> CallOutcome:
    """The outcome of a call answered from outside its task: by a barge-in (``cancelled``), by its
    deadline (``timeout``), or by the session ending (``disconnected`` when the connection
    dropped, ``cancelled`` when the app closed it)."""
    if closing is not None:
        kind: FailureKind = "disconnected" if dropped else "cancelled"
        return outcome_of(
            running, kind, f"the session ended before the call did: {closing}", settings
        )
    if running.cancel_reasons:
        return outcome_of(
            running, "cancelled", f"the call was cancelled: {running.cancel_reasons[0]}", settings
        )
    timeout = running.timeout_for or settings.default_timeout
    return outcome_of(running, "timeout", f"no result after {timeout:g} s", settings)


def _mib(size: int) -> str:
    return f"{size / 2**20:.2f}".rstrip("0").rstrip(".")
