"""What a tool may ask to be given: the call, the session and the agent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ToolContext:
    """Injected into a tool that has a parameter annotated ``ToolContext``.

    The parameter never appears in the tool's JSON schema. ``session`` is the
    :class:`~rtagents.RealtimeSession` running the call and ``agent`` its
    :class:`~rtagents.Agent` (both ``None`` when a tool is called outside a session).
    """

    call_id: str
    tool_name: str
    arguments: dict[str, Any] = field(default_factory=dict)
    session: Any = None
    agent: Any = None
    on_start: Callable[[], None] | None = field(default=None, repr=False, compare=False)
    """Called (from any thread) when the tool's code begins to run; the session starts the
    call's timeout then, so that time spent queued for a worker thread does not count."""
    on_result: Callable[[Any], None] | None = field(default=None, repr=False, compare=False)
    """Called (from the worker thread) with a thread tool's result, so that a result that
    arrives after its call was abandoned (a timeout, a dropped connection) is reported."""
