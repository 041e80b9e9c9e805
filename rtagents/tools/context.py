"""What a tool may ask to be given: the call, the session and the agent."""

from __future__ import annotations

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
