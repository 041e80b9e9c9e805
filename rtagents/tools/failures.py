"""How a call that did not produce a result is told to the model."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

FailureKind = Literal[
    "invalid_arguments",
    "unknown_tool",
    "error",
    "timeout",
    "cancelled",
    "denied",
    "unavailable",
    "too_large",
    "disconnected",
]


@dataclass(frozen=True)
class ToolFailure:
    """Why a call has no result. ``exception`` is set for ``error`` (the tool raised)."""

    kind: FailureKind
    tool_name: str
    message: str
    exception: BaseException | None = None


FailureFormatter = Callable[[ToolFailure], str]
"""Turns a failure into the ``function_call_output`` text the model reads."""

_ADVICE: dict[str, str] = {
    "invalid_arguments": "Fix the arguments and call the tool again.",
    "unknown_tool": "Use one of the tools you were given.",
    "timeout": "The tool took too long; tell the user, or try again later.",
    "cancelled": "The call was stopped; do not assume it took effect.",
    "denied": "Tell the user the action was not approved.",
    "unavailable": "The tool's server is unavailable; tell the user.",
    "too_large": "The result was too large to send; ask for less.",
    "error": "The tool failed; tell the user, or try another way.",
}


def default_failure_formatter(failure: ToolFailure) -> str:
    """A JSON object naming what went wrong, so the model can retry or explain.

    It includes the exception's type and message: pass another formatter (to the tool or
    the agent) to hide details from the model.
    """
    body: dict[str, str] = {
        "error": failure.kind,
        "tool": failure.tool_name,
        "message": failure.message,
    }
    if failure.exception is not None:
        body["exception"] = type(failure.exception).__name__
    advice = _ADVICE.get(failure.kind)
    if advice:
        body["advice"] = advice
    return json.dumps(body, ensure_ascii=False)


def hide_details(failure: ToolFailure) -> str:
    """A formatter that tells the model only the kind of failure, never its message."""
    return json.dumps({"error": failure.kind, "tool": failure.tool_name})


class ToolCrashed(Exception):
    """A tool raised a ``BaseException`` that is not an ``Exception`` (``KeyboardInterrupt``,
    ``SystemExit``, ...). It is carried as an ordinary error, so that the call is answered
    and the session lives on; ``__cause__`` is what the tool raised."""


class ToolUnavailable(Exception):
    """Raised by a tool whose backing service is out of reach (a local MCP server that died,
    a feed that is down): the model is told ``unavailable``, not ``error``, so that it tells
    the user instead of retrying with other arguments."""


class ToolOutputTooLarge(Exception):
    """A result whose output would pass the agent's ``max_tool_output_bytes``: the model is
    told ``too_large``. ``size`` is the output's UTF-8 size in bytes, at least (its length,
    when that alone showed it too large and the rest was not worth making), ``limit`` the
    most it may be."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"the output is at least {size} bytes; the limit is {limit}")
        self.size = size
        self.limit = limit
