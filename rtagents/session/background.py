"""Background work (``@tool(background=True)``): a call answered "started" whose work runs on.

The dispatcher runs a background call as any other up to its tool's code (arguments,
approval); then the call is answered at once with its "started" output, in its batch, and
its work, which goes on in the call's own task, is this module's. When the work ends, its
result (or its failure, formatted as failures are) goes to the model as a new message, a
batch of its own that the orchestrator answers with one response (``background_finished``);
the journal keeps the message for a new connection, so it reaches the model exactly once.

The work is bounded by its tool's ``timeout`` (none by default: the agent's ``tool_timeout``
is for calls the model waits on), and cancelled at the session's close, each with a record:
``background.failed`` (``cancelled``) and a log line naming the tool, the call and the close.
Its ``execute_tool`` span lasts as long as the work.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from ..errors import SessionClosedError, root_cause
from ..tools import Background, BackgroundDone
from ..tools.background import result_message, started_output
from ..tracing.observer import SessionTracer
from .actions import Action, Emit
from .adapter import WireAdapter
from .calls import CallOutcome, CallSettings, RunningCall, outcome_of
from .events import (
    BackgroundCompleted,
    BackgroundFailed,
    BackgroundStarted,
    SessionWarning,
    ToolCallCompleted,
)
from .invoke import Orphans, orphan
from .states import Connection, Link

log = logging.getLogger("rtagents.session")


class ResultSink(Protocol):
    """The session, as its calls' work reaches it (``back.SessionBack``): an event for the
    app, a task of the session's, and where a background result goes (the session's wire
    adapter decides, the session carries it out; ``SessionClosedError`` when it ended under
    the send). One object rather than a bound method for each: every session keeps them."""

    core: WireAdapter

    def deliver(self, event: Any) -> None: ...

    def spawn(self, fn: Callable[..., Awaitable[Any]], *args: Any) -> None: ...

    async def execute(self, actions: list[Action]) -> bool: ...


@dataclass(eq=False, slots=True)
class _Work:
    running: RunningCall
    background: Background
    settings: CallSettings
    started: float
    deadline: asyncio.TimerHandle | None = None
    ending: bool = False  # its result is on its way: the close no longer cancels it


class BackgroundWork:
    """The background work of one session's calls, by work id."""

    def __init__(
        self,
        *,
        tracer: SessionTracer,
        sink: ResultSink,
        link: Connection,
        orphans: Orphans,
    ) -> None:
        self._tracer = tracer
        self._sink = sink
        self._link = link
        self._orphans = orphans  # given up on, still running: the dispatcher's let_go waits
        self._work: dict[str, _Work] = {}

    @property
    def running(self) -> list[tuple[str, str]]:
        """``(call_id, tool name)`` of the work still running (``drain`` waits for it)."""
        return [(w.running.call.call_id, w.running.call.name) for w in self._work.values()]

    def owns(self, running: RunningCall) -> bool:
        """Whether the call's outcome is this work's (answered "started", not yet ended: one
        whose result is on its way is counted as running, its code's late word is not ours)."""
        work = self._work.get(running.call.work_id)
        return work is not None and not work.ending

    def adopt(self, running: RunningCall, background: Background, settings: CallSettings) -> str:
        """The call is answered "started" now: its output, the work from here is ours."""
        call = running.call
        if self._link.state is Link.CLOSED:
            raise asyncio.CancelledError  # the session ended first: its code never runs
        output = self._started(running, background)
        work = _Work(running, background, settings, time.perf_counter())
        self._work[call.work_id] = work
        running.answered = True  # its answer is "started": no deadline or barge-in stops it
        timeout = running.timeout_for
        if timeout is not None:
            work.deadline = asyncio.get_running_loop().call_later(timeout, self._expire, work)
        if running.span is not None:
            running.span.set_attribute("rtagents.tool.background", True)
        duration = time.perf_counter() - running.started
        self._sink.deliver(ToolCallCompleted(call.call_id, call.name, output, duration))
        self._sink.deliver(BackgroundStarted(call.call_id, call.name, output))
        return output

    async def finished(self, running: RunningCall, outcome: CallOutcome) -> None:
        """The work ended in its task: reported, then its result told to the model."""
        work = self._work.get(running.call.work_id)
        if work is None or work.ending:  # (ending: its deadline told it, then cancelled it)
            return
        work.ending = True
        try:
            text = self._message(work, outcome)
            self._report(work, outcome, text)
            await self._tell(work, text)
        finally:
            self._work.pop(running.call.work_id, None)

    def session_ended(self, reason: str) -> None:
        """Every work still running is cancelled, each with its record, before
        ``session.closed``: nothing can be told to the model any more."""
        for work in list(self._work.values()):
            if work.ending:
                continue
            call = work.running.call
            log.warning(
                "background work of tool %s (call %s) was cancelled by the session's close: %s",
                call.name,
                call.call_id,
                reason,
            )
            message = f"cancelled by the session's close: {reason}"
            outcome = outcome_of(work.running, "cancelled", message, work.settings)
            self._give_up(work, outcome, "")
        self._work.clear()

    def stop(self, response_id: str, reason: str) -> list[Action]:
        """An input guardrail stopped the turn ``response_id`` answers: the work its calls
        started is cancelled now, and no result of it is told to the model. Returns the
        events that report it, for the app to hear after the trip itself."""
        reports: list[Action] = []
        for work in list(self._work.values()):
            running = work.running
            if running.call.response_id != response_id or work.ending:
                continue
            outcome = outcome_of(running, "cancelled", f"cancelled: {reason}", work.settings)
            self._cancel(work)
            reports.append(Emit(self._ended(work, outcome, "")))
        return reports

    # -- internals -------------------------------------------------------------------------

    def _started(self, running: RunningCall, background: Background) -> str:
        try:
            shaped = background.started(running.call.call_id)
            return running.tool.serialize(shaped) if running.tool else str(shaped)
        except Exception as exc:  # the app's shaping must not cost the call
            self._sink.deliver(SessionWarning(f"Background(started=...) failed: {root_cause(exc)}"))
            return started_output(running.call.call_id)

    def _expire(self, work: _Work) -> None:
        running = work.running
        if running.call.work_id not in self._work or work.ending:
            return
        message = f"no result after {running.timeout_for:g} s"
        outcome = outcome_of(running, "timeout", message, work.settings)
        text = self._message(work, outcome)
        # Reported and cancelled, and still counted until its result is told (a drain
        # waits for it, as for a call's output on its way).
        work.ending = True
        self._report(work, outcome, text)
        task = running.task
        if task is not None and not task.done():
            orphan(task, self._orphans)
        self._sink.spawn(self._told, work, text)

    async def _told(self, work: _Work, text: str) -> None:
        try:
            await self._tell(work, text)
        finally:
            self._work.pop(work.running.call.work_id, None)

    def _give_up(self, work: _Work, outcome: CallOutcome, text: str) -> None:
        """Ended from outside its task (its deadline, the close): reported, then cancelled;
        a result it produces later is ``tool.call.abandoned`` (see the dispatcher)."""
        self._report(work, outcome, text)
        self._cancel(work)

    def _cancel(self, work: _Work) -> None:
        running = work.running
        self._work.pop(running.call.work_id, None)
        task = running.task
        if task is not None and not task.done():
            orphan(task, self._orphans)

    def _report(self, work: _Work, outcome: CallOutcome, text: str) -> None:
        """The one place a work's end is reported: its event (``text``: the message for the
        model), its span ended."""
        self._sink.deliver(self._ended(work, outcome, text))

    def _ended(
        self, work: _Work, outcome: CallOutcome, text: str
    ) -> BackgroundCompleted | BackgroundFailed:
        """A work's end, its span ended: the event that reports it."""
        if work.deadline is not None:
            work.deadline.cancel()
        running = work.running
        call, failure = running.call, outcome.failure
        self._tracer.tool_finished(call.call_id, running.span, outcome.output, failure)
        duration = time.perf_counter() - work.started
        if failure is None:
            return BackgroundCompleted(call.call_id, call.name, outcome.output, text, duration)
        return BackgroundFailed(
            call.call_id,
            call.name,
            failure.kind,
            failure.message,
            outcome.output,
            duration,
            failure.exception,
        )

    def _message(self, work: _Work, outcome: CallOutcome) -> str:
        call = work.running.call
        done = BackgroundDone(call.call_id, call.name, outcome.output, outcome.failure)
        try:
            return str(work.background.result(done))
        except Exception as exc:  # the app's shaping must not lose the result
            self._sink.deliver(SessionWarning(f"Background(result=...) failed: {root_cause(exc)}"))
            return result_message(done)

    async def _tell(self, work: _Work, text: str) -> None:
        """The result to the model: a new message, with one response asked for it (unless
        its tool says ``trigger_response=False``)."""
        if self._link.state is Link.CLOSED:
            return
        running = work.running
        reply = running.tool.trigger_response if running.tool else True
        try:
            core = self._sink.core
            role = work.background.role
            await self._sink.execute(
                core.background_finished(running.call.call_id, role, text, reply=reply)
            )
        except SessionClosedError:
            pass  # the session ended under the send; session.closed says so
        except Exception as exc:
            log.exception("sending the result of background call %s failed", running.call.call_id)
            self._sink.deliver(
                SessionWarning(f"sending a background result failed: {root_cause(exc)}")
            )
