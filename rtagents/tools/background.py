"""Background tools (``@tool(background=True)``): what the model is told when the call starts,
and when its work ends.

The call is answered at once with a "started" output, so the conversation goes on; the
work runs on, and its result (or its failure, formatted as failures are) is added later as
a new message the model reads. How both read is the app's to shape (``Background``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from .failures import ToolFailure


@dataclass(frozen=True)
class BackgroundDone:
    """A background call's work has ended: what ``Background.result`` is given."""

    call_id: str
    tool_name: str
    output: str
    """The result as the model reads it (serialised), or the failure as formatted."""
    failure: ToolFailure | None = None
    """Why it produced no result (``None``: it returned)."""


def started_output(call_id: str) -> str:
    """The default answer to a background call: ``{"status": "started", "task": call_id}``."""
    return json.dumps({"status": "started", "task": call_id})


def result_message(done: BackgroundDone) -> str:
    """The default message when the work ends: the tool, the call and the result."""
    how = "finished" if done.failure is None else "failed"
    return f"The background task {done.call_id} ({done.tool_name}) {how}: {done.output}"


@dataclass(frozen=True)
class Background:
    """How a background tool's call is answered and its result told (``@tool(background=
    Background(...))``; ``background=True`` takes these defaults).

    Args:
        started: Given the call id, the call's output at once (the task's id is the call
            id): ``{"status": "started", "task": "<call id>"}`` by default.
        result: Given a ``BackgroundDone``, the text of the message added when the work
            ends.
        role: The role of that message: ``"system"`` (the default: context, not words the
            user said) or ``"user"``.
    """

    started: Callable[[str], str] = started_output
    result: Callable[[BackgroundDone], str] = result_message
    role: Literal["system", "user"] = "system"

    def __post_init__(self) -> None:
        if self.role not in ("system", "user"):
            raise ValueError(f"Background(role=...) is 'system' or 'user', got {self.role!r}")
