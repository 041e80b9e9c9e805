"""The calls the core starts, from start to report: one record each, one place for the rules.

A call is registered before its task runs (so that a barge-in right after
``tool.call.started`` finds it), runs in a task of the session's, and is reported exactly
once: ``tool.call.completed`` or ``tool.call.failed``, whether it returned, failed, timed
out, was cancelled, or the session ended under it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..approvals import ApprovalRequest
from ..errors import root_cause
from .actions import StartApproval, StartCall
from .calls import CallOutcome, CallSettings, RunningCall, outcome_of, run_call, stopped_outcome
from .events import ToolCallAbandoned, ToolCallCompleted, ToolCallFailed, ToolCallStarted
from .invoke import let_go

if TYPE_CHECKING:
    from .runner import SessionRunner

log = logging.getLogger("rtagents.session")


class Dispatcher:
    """Runs one session's tool calls and hosted approval requests."""

    def __init__(self, runner: SessionRunner) -> None:
        self._runner = runner
        self._running: dict[str, RunningCall] = {}
        self._orphans: set[asyncio.Task[Any]] = set()  # tool code abandoned, still running

    def start(self, action: StartCall, spawn: Callable[..., None]) -> None:
        runner = self._runner
        # Registered before the task runs, so that a barge-in right away finds it.
        running = RunningCall(action, runner.tools.get(action.name))
        self._running[action.work_id] = running
        spawn(self._call, running)

    def _started(self, running: RunningCall) -> Callable[[], None]:
        def started() -> None:
            call = running.call
            self._runner.deliver(
                ToolCallStarted(call.call_id, call.name, call.arguments, call.response_id)
            )

        return started

    @property
    def running(self) -> list[tuple[str, StartCall]]:
        """The calls in flight: (call id, the call)."""
        return [(r.call.call_id, r.call) for r in self._running.values()]

    def cancel(self, work_id: str, reason: str) -> None:
        running = self._running.get(work_id)
        if running is not None:
            running.cancel(reason)

    def session_ended(self, reason: str, dropped: bool) -> None:
        """Every call in flight is reported now, before ``session.closed``: its output cannot
        be sent any more, and the app must know which side effects may have happened."""
        settings = self.settings
        for running in list(self._running.values()):
            self._report(running, stopped_outcome(running, settings, reason, dropped))
            running.scope.cancel()

    async def let_go(self, grace: float) -> None:
        """After the session's tasks ended: give abandoned tool code a bounded grace."""
        for task in await let_go(self._orphans, grace):
            log.warning(
                "tool code still running %g s after the session closed was left behind: %r",
                grace,
                task.get_coro(),
            )

    @property
    def settings(self) -> CallSettings:
        runner = self._runner
        return CallSettings(
            approvals=runner.approvals,
            default_timeout=runner.agent.tool_timeout,
            format_failure=runner.agent.format_failure,
            max_output_bytes=runner.agent.max_tool_output_bytes,
            session=runner.owner,
            agent=runner.agent,
            deps=runner.deps,
            orphans=self._orphans,
        )

    # -- one call ----------------------------------------------------------------------------

    async def _call(self, running: RunningCall) -> None:
        runner, call, tool = self._runner, running.call, running.tool
        settings = self.settings
        outcome = None
        with (
            runner.tracer.tool_call(
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
                try:
                    outcome = await run_call(
                        running, settings, self._late(running), self._started(running)
                    )
                except Exception as exc:  # a bug in a tool's own machinery, or in ours
                    log.exception("call %s of %s failed", call.call_id, call.name)
                    outcome = outcome_of(running, "error", root_cause(exc), settings, exc)
        self._running.pop(call.work_id, None)
        if outcome is None:  # the scope was cancelled: barge-in, deadline or the end
            outcome = stopped_outcome(running, settings, runner.closed_reason, runner.dropped)
        runner.tracer.tool_finished(span, outcome.output, outcome.failure)
        self._report(running, outcome)
        if runner.closed_reason is None:
            cancelled = bool(running.cancel_reasons) and outcome.failure is not None
            await runner.execute(
                runner.core.call_finished(call.work_id, outcome.output, cancelled=cancelled)
            )

    def _report(self, running: RunningCall, outcome: CallOutcome) -> None:
        """``tool.call.completed`` or ``tool.call.failed``: exactly once per call."""
        if running.reported:
            return
        running.reported = True
        call, failure = running.call, outcome.failure
        if failure is None:
            self._runner.deliver(
                ToolCallCompleted(call.call_id, call.name, outcome.output, outcome.duration_s)
            )
        else:
            self._runner.deliver(
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

    def _late(self, running: RunningCall) -> Callable[[Any], None]:
        def late(result: Any) -> None:
            call = running.call
            try:
                output = running.tool.serialize(result) if running.tool else str(result)
            except Exception as exc:
                output = f"(the result could not be serialised: {type(exc).__name__})"
            log.warning(
                "tool %s (call %s) finished after its call was given up; its result was not "
                "delivered",
                call.name,
                call.call_id,
            )
            self._runner.deliver(ToolCallAbandoned(call.call_id, call.name, output))

        return late

    # -- a hosted MCP approval request ---------------------------------------------------------

    async def hosted_approval(self, action: StartApproval) -> None:
        """Decide a hosted request and answer it. It is answered whatever happens: a
        failure before the decision is a deny (the gate itself never raises)."""
        runner, request = self._runner, action.request
        try:
            listed = {t.name: t for t in runner.core.hosted_tools.get(request.server_label, [])}
            annotations = listed[request.name].annotations if request.name in listed else None
            read_only = annotations.get("readOnlyHint") if isinstance(annotations, dict) else None
            decision = await runner.approvals.decide(
                ApprovalRequest.for_hosted(
                    request.id,
                    request.server_label,
                    request.name,
                    request.arguments,
                    read_only=read_only if isinstance(read_only, bool) else None,
                    agent=runner.agent,
                )
            )
            approve, reason = decision.approve is True, decision.reason
        except Exception as exc:
            log.exception("hosted approval request %s failed", request.id)
            approve, reason = False, f"the request could not be decided: {root_cause(exc)}"
        await runner.execute(runner.core.approval_decided(request.id, approve, reason))
