"""Running one tool call: lookup, argument checks, approval, timeout, result or failure."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import anyio

from ..approvals import ApprovalBroker, ApprovalRequest
from ..tools import (
    BaseTool,
    ToolArgumentsError,
    ToolContext,
    ToolFailure,
    default_failure_formatter,
)
from ..tools.failures import FailureFormatter, FailureKind
from .actions import StartCall


@dataclass(frozen=True)
class CallOutcome:
    output: str
    failure: ToolFailure | None
    duration_s: float


async def run_call(
    call: StartCall,
    tool: BaseTool | None,
    *,
    scope: anyio.CancelScope,
    approvals: ApprovalBroker,
    default_timeout: float,
    format_failure: FailureFormatter | None,
    session: Any,
    agent: Any,
) -> CallOutcome:
    """Run a call to completion. Every way it can go wrong becomes an output the model reads."""
    started = time.perf_counter()

    def fail(kind: FailureKind, message: str, exc: BaseException | None = None) -> CallOutcome:
        failure = ToolFailure(kind, call.name, message, exc)
        formatter = (
            (tool.format_failure if tool else None) or format_failure or default_failure_formatter
        )
        return CallOutcome(formatter(failure), failure, time.perf_counter() - started)

    if tool is None:
        return fail("unknown_tool", f"there is no tool named {call.name!r}")
    try:
        parsed = tool.parse_arguments(call.arguments)
    except ToolArgumentsError as exc:
        return fail("invalid_arguments", str(exc))
    arguments = tool.arguments_dict(parsed)
    ctx = ToolContext(call.call_id, call.name, arguments, session, agent)
    request = ApprovalRequest.for_call(
        call.call_id,
        call.name,
        arguments,
        server_label=tool.server_label,
        read_only=tool.read_only,
        agent=agent,
    )
    decision = await approvals.authorize(request, tool.needs_approval, ctx)
    if decision.approve is not True:
        reason = decision.reason or "the user declined"
        return fail("denied", f"the call was not approved: {reason}")

    # The call's own scope (which a barge-in cancels) also carries the timeout: one scope
    # instead of two, and the clock starts after approval, which has its own timeout.
    timeout = tool.timeout or default_timeout
    scope.deadline = anyio.current_time() + timeout
    try:
        result = await tool.call(parsed, ctx)
        output = tool.serialize(result)
    except Exception as exc:
        return fail(_failure_kind(exc), f"{type(exc).__name__}: {exc}", exc)
    finally:
        scope.deadline = math.inf
    return CallOutcome(output, None, time.perf_counter() - started)


def _failure_kind(exc: Exception) -> FailureKind:
    # Local MCP tools raise this when their server is gone; see rtagents.mcp.
    return "unavailable" if getattr(exc, "rtagents_unavailable", False) else "error"


def stopped_outcome(
    call: StartCall,
    tool: BaseTool | None,
    kind: FailureKind,
    message: str,
    started: float,
    format_failure: FailureFormatter | None,
) -> CallOutcome:
    """The outcome of a call its scope stopped: a barge-in (``cancelled``) or ``timeout``."""
    failure = ToolFailure(kind, call.name, message)
    formatter = (
        (tool.format_failure if tool else None) or format_failure or default_failure_formatter
    )
    return CallOutcome(formatter(failure), failure, time.perf_counter() - started)
