"""The calls the core starts, from start to report: one record each, one place for the rules.

Each call runs in one plain task of its own: parsing, approval, the tool's code and the
output's send, with nothing between the tool and the loop. The task is outside the session's
task group, because tool code may ignore its cancellation: a deadline, a barge-in or the
session's end answers the call from outside the task, at once, and then cancels it; a task
that goes on regardless is let go at the close (a result it produces then is reported as
``tool.call.abandoned``). A call is reported exactly once: ``tool.call.completed`` or
``tool.call.failed``, whether it returned, failed, timed out, was cancelled, or the session
ended under it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from typing import Any, Protocol

from ..errors import SessionClosedError, root_cause
from ..tools import Toolset
from ..tools.failures import ToolOutputTooLarge
from ..tracing.observer import SessionTracer
from .actions import StartApproval, StartCall
from .background import BackgroundWork, ResultSink
from .calls import (
    CallOutcome,
    CallSettings,
    RunningCall,
    WeakProgress,
    outcome_of,
    run_call,
    stopped_outcome,
)
from .events import (
    ProgressDropped,
    SessionWarning,
    ToolCallAbandoned,
    ToolCallCompleted,
    ToolCallFailed,
    ToolCallStarted,
)
from .hosted_approval import answer_hosted
from .hosted_listings import HostedListings
from .invoke import Orphans, let_go, orphan
from .offers import Offers
from .states import Connection, Link

log = logging.getLogger("rtagents.session")


class Answers(ResultSink, Protocol):
    """Where the dispatcher's answers go: to the session's core, then the wire (a background
    result through the ``ResultSink``). Each raises ``SessionClosedError`` when the session
    ended under the send. ``hold``/``tell``: the app's events wait meanwhile (``Observers``)."""

    def hold(self) -> int: ...

    def tell(self, hold: int = 0) -> None: ...

    async def task_fatal(self, exc: BaseException) -> None: ...

    async def output(self, work_id: str, output: str, *, cancelled: bool) -> None: ...

    async def approval(self, request_id: str, approve: bool, reason: str | None) -> None: ...


class Dispatcher:
    """Runs one session's tool calls and hosted approval requests.

    Args:
        settings: What the calls share; replaced when the session takes an agent (``offers``).
        tools: The tools calls are looked up in; replaced with the settings.
        link: The connection's state: once it is closed, nothing is sent.
        hosted_tools: What each hosted MCP server listed, by server label.
    """

    def __init__(
        self,
        settings: CallSettings,
        tools: Toolset,
        *,
        tracer: SessionTracer,
        link: Connection,
        answers: Answers,
        hosted_tools: HostedListings,
    ) -> None:
        self.offers = Offers(tools, settings)
        """What calls look up and share: the agent's, or their transfer's response's."""
        self._tracer = tracer
        self._link = link
        self._answers = answers
        self._hosted = hosted_tools
        self._running: dict[str, RunningCall] = {}
        self._owing: dict[str, str] = {}  # answers on their way (see ``owing``): id -> what
        self._orphans: Orphans = {}  # given up on, still running
        self.background = BackgroundWork(
            tracer=tracer,
            sink=answers,
            link=link,
            orphans=self._orphans,
        )
        """The work of background calls, once they were answered "started"."""

    def response_of(self, work_id: str) -> str | None:
        return r.call.response_id if (r := self._running.get(work_id)) is not None else None

    def start(self, action: StartCall) -> None:
        tools, settings = self.offers.of(action.response_id)
        tool = tools.get(action.name)
        running = RunningCall(action, tool, settings)
        running.span = self._tracer.start_tool(
            action.call_id,
            action.name,
            action.arguments,
            action.response_id,
            tool.server_label if tool else None,
            tool is not None,
        )
        # Registered before the task runs, so that a barge-in right away finds it.
        self._running[action.work_id] = running
        # A plain task, started on the loop's next pass, even where Python could start it
        # eagerly (3.12+): measured (benchmarks/session.py), an eager start gave a round trip
        # of 1.90x the bare loop's against 1.70x, and running the call in the reader with no
        # task gained nothing either. The reader yields once right after, so it runs first.
        running.task = asyncio.get_running_loop().create_task(self._call(running))

    @property
    def running(self) -> list[tuple[str, StartCall]]:
        """The calls in flight: (call id, the call)."""
        return [(r.call.call_id, r.call) for r in self._running.values()]

    @property
    def owed(self) -> list[tuple[str, str]]:
        """The answers ``owing`` counts, not sent yet: (their id, the tool or hook)."""
        return list(self._owing.items())

    @contextlib.contextmanager
    def owing(self, key: str, name: str) -> Iterator[None]:
        """An answer the session owes besides a call's output, on its way while this runs (a
        hosted approval request's, a delegation hook's): a drain waits for it too."""
        self._owing[key] = name
        try:
            yield
        finally:
            self._owing.pop(key, None)

    def cancel(self, work_id: str, reason: str) -> None:
        """A barge-in: the call is answered now, as cancelled, and its task cancelled."""
        running = self._running.get(work_id)
        if running is not None:
            running.cancel_reasons.append(reason)
            self._give_up(running, stopped_outcome(running, running.settings, None, False))

    def session_ended(self, reason: str, dropped: bool) -> None:
        """Every call in flight is reported now, before ``session.closed``: its output cannot
        be sent any more, and the app must know which side effects may have happened."""
        for running in list(self._running.values()):
            self._give_up(running, stopped_outcome(running, running.settings, reason, dropped))
        self._running.clear()  # answered, and none of their outputs can be sent now
        self.background.session_ended(reason)

    async def let_go(self, grace: float) -> None:
        """After the session's tasks ended: give abandoned tool code a bounded grace."""
        for task in await let_go(self._orphans, grace):
            log.warning(
                "tool code still running %g s after the session closed was left behind: %r",
                grace,
                task.get_coro(),
            )

    # -- one call ----------------------------------------------------------------------------

    async def _call(self, running: RunningCall) -> None:
        call, settings = running.call, running.settings
        try:
            if call.duplicate:
                outcome = outcome_of(
                    running,
                    "invalid_arguments",
                    f"call_id {call.call_id!r} was already used by an earlier call, so this "
                    "one was not run; call the tool again",
                    settings,
                )
            elif call.cut_off:
                outcome = outcome_of(
                    running,
                    "disconnected",
                    "the connection dropped before this call's arguments arrived, so it was "
                    "not run; call the tool again",
                    settings,
                )
            elif running.span is None and not self._tracer.in_trace:  # no span to make current
                outcome = await run_call(running, settings, self)
            else:
                with self._tracer.current(running.span):
                    outcome = await run_call(running, settings, self)
        except asyncio.CancelledError as exc:
            if running.answered and not self.background.owns(running):
                return  # answered from outside, which then cancelled this task
            # Not by us: the tool's code let an inner cancellation out, or the loop is
            # shutting down. Either way the call is answered.
            outcome = outcome_of(
                running, "error", "the tool's code was cancelled (CancelledError)", settings, exc
            )
        except Exception as exc:  # a bug in a tool's own machinery, or in ours
            log.exception("call %s of %s failed", call.call_id, call.name)
            outcome = outcome_of(running, "error", root_cause(exc), settings, exc)
        if self.background.owns(running):  # answered "started": the result is told now
            await self.background.finished(running, outcome)
            return
        if running.answered:  # given up meanwhile; the tool finished regardless
            if outcome.failure is None:
                self._abandoned(running, outcome.output)
            return
        # Decide first, tell after (performance.md): the app hears how the call ended, and
        # of the response its output asks for, in that order, once the output has left.
        held = self._answers.hold()  # with the reader's, if it answers a burst meanwhile
        try:
            try:
                self._answer(running, outcome)
                await self._send(running, outcome, cancelled=False)
            finally:
                if held:  # (0: the session is over)
                    self._answers.tell(held)
        except (Exception, asyncio.CancelledError):
            raise
        except BaseException as exc:
            # SystemExit or KeyboardInterrupt from below (an app's sync handler's is the
            # stream's, which ends the session itself): as in the session's own tasks, the
            # session closes and connect() raises it on exit (from this plain task, asyncio
            # would throw it through the event loop).
            await self._answers.task_fatal(exc)

    def _answer(self, running: RunningCall, outcome: CallOutcome) -> None:
        """The one place a call's outcome is decided: reported exactly once, its span ended."""
        running.answered = True
        if running.deadline is not None:
            running.deadline.cancel()
        call, failure = running.call, outcome.failure
        self._tracer.tool_finished(call.call_id, running.span, outcome.output, failure)
        if failure is None:
            self._answers.deliver(
                ToolCallCompleted(call.call_id, call.name, outcome.output, outcome.duration_s)
            )
        else:
            self._answers.deliver(
                ToolCallFailed(
                    call.call_id,
                    call.name,
                    failure.kind,
                    failure.message,
                    outcome.output,
                    outcome.duration_s,
                    failure.exception,
                    call.arguments,
                )
            )

    def _give_up(self, running: RunningCall, outcome: CallOutcome) -> None:
        """Answer a call from outside its task (a deadline, a barge-in, the end), then cancel
        the task: tool code that ignores its cancellation cannot hold the answer back."""
        if running.answered:
            return
        # Decide first, tell after, as in the call's task: the app hears how the call ended
        # once its output has left, from the task that sends it.
        held = self._answers.hold()
        self._answer(running, outcome)
        task = running.task
        if task is not None and not task.done():
            orphan(task, self._orphans)
        if self._link.state is Link.CLOSED:
            self._running.pop(running.call.work_id, None)  # nothing left to send
            self._answers.tell(held)  # (the end holds what it tells until session.closed)
        else:
            self._answers.spawn(self._send, running, outcome, bool(running.cancel_reasons), held)

    async def _send(
        self, running: RunningCall, outcome: CallOutcome, cancelled: bool, held: int = 0
    ) -> None:
        """The output to the server (and, when it ends a batch, ``response.create``). The call
        counts as running until this is done: a drain waits for its output to leave. ``held``:
        the hold on the app's events to tell once it has (see ``Observers.hold``)."""
        try:
            await self._send_output(running, outcome, cancelled)
        finally:
            self._running.pop(running.call.work_id, None)
            if held:
                self._answers.tell(held)

    async def _send_output(
        self, running: RunningCall, outcome: CallOutcome, cancelled: bool
    ) -> None:
        if self._link.state is Link.CLOSED:
            return
        try:
            await self._answers.output(running.call.work_id, outcome.output, cancelled=cancelled)
        except SessionClosedError:
            pass  # the session ended under the send; session.closed says so
        except Exception as exc:
            log.exception("sending the output of call %s failed", running.call.call_id)
            self._answers.deliver(
                SessionWarning(f"sending a tool output failed: {root_cause(exc)}")
            )

    # -- the call's watcher (see calls.CallWatcher) --------------------------------------------

    _progress_sink: WeakProgress | None = None  # made for the first call (an idle session none)

    @property
    def progress_sink(self) -> WeakProgress:
        sink = self._progress_sink
        if sink is None:
            sink = self._progress_sink = WeakProgress(self)
        return sink

    def started(self, running: RunningCall, arguments: dict[str, Any]) -> None:
        call = running.call
        self._answers.deliver(
            ToolCallStarted(call.call_id, call.name, arguments, call.arguments, call.response_id)
        )

    def start_clock(self, running: RunningCall, time_limit: float) -> None:
        # The timer is set on the loop's next pass, and only if the call still runs then:
        # most calls end within their first step, and a loop timer made and cancelled for
        # each was half the cost of running a no-op call (4.5 of 9 us). A sync tool's call
        # never does (its code is in a thread): its timer is set now, saving that pass.
        if not running.answered:
            loop = asyncio.get_running_loop()
            if running.tool is not None and running.tool.runs_in_thread:
                running.deadline = loop.call_later(time_limit, self._expire, running)
            else:
                loop.call_soon(self._arm, running, loop.time() + time_limit)

    def _arm(self, running: RunningCall, at: float) -> None:
        if not running.answered:
            running.deadline = asyncio.get_running_loop().call_at(at, self._expire, running)

    def _expire(self, running: RunningCall) -> None:
        self._give_up(running, stopped_outcome(running, running.settings, None, False))

    async def backgrounded(self, running: RunningCall) -> None:
        """Answered "started" now, in its batch; its work, which goes on in this task, is
        ``self.background``'s from here. The output leaves before the work goes on, so the
        work's result always comes after it."""
        assert running.tool is not None and running.tool.background is not None
        output = self.background.adopt(running, running.tool.background, running.settings)
        await self._send(running, CallOutcome(output, None, 0.0), cancelled=False)

    async def progress(self, call_id: str, text: str) -> None:
        """A tool's update: the core says when it is spoken. Best effort: one of a call
        already answered (background work, a deadline passed) is dropped, and reported;
        one of a session that ended is dropped."""
        running = self._running.get(call_id)
        if running is None or running.answered:
            self._answers.deliver(ProgressDropped(call_id, text, "its call was answered already"))
            return
        with contextlib.suppress(SessionClosedError):
            await self._answers.execute(self._answers.core.progress(call_id, text))

    def late(self, running: RunningCall, result: Any) -> None:
        if not running.answered or self.background.owns(running):
            return  # on time: the call's task delivers it
        try:
            if isinstance(result, ToolOutputTooLarge):  # found so in its thread: not made
                output = f"({result})"
            else:
                output = running.tool.serialize(result) if running.tool else str(result)
        except Exception as exc:
            output = f"(the result could not be serialised: {type(exc).__name__})"
        self._abandoned(running, output)

    def _abandoned(self, running: RunningCall, output: str) -> None:
        call = running.call
        log.warning(
            "tool %s (call %s) finished after its call was given up; its result was not delivered",
            call.name,
            call.call_id,
        )
        self._answers.deliver(ToolCallAbandoned(call.call_id, call.name, output))

    # -- a hosted MCP approval request ---------------------------------------------------------

    async def hosted_approval(self, action: StartApproval) -> None:
        """Decide a hosted request by the agent its response was made for, and answer it."""
        _, settings = self.offers.of(action.response_id)
        request = action.request
        with self.owing(request.id, request.name):
            await answer_hosted(
                request, settings, self._hosted, self._answers, denied=action.denied
            )
