"""Events the framework adds to the stream, beside the server's own events.

Each has a ``type`` like server events do, so one ``match``/``if`` on ``event.type`` (or
``@session.on("tool.call.completed")``) handles both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from .._event import FrameworkEvent


@dataclass(frozen=True)
class ToolCallStarted(FrameworkEvent):
    """A function tool (or local MCP tool) call began: after argument checks, before approval."""

    type: ClassVar[str] = "tool.call.started"
    call_id: str
    name: str
    arguments: str
    response_id: str | None = None


@dataclass(frozen=True)
class ToolCallCompleted(FrameworkEvent):
    """A tool returned; ``output`` is what the model was sent."""

    type: ClassVar[str] = "tool.call.completed"
    call_id: str
    name: str
    output: str
    duration_s: float


@dataclass(frozen=True)
class ToolCallFailed(FrameworkEvent):
    """A call produced no result: ``kind`` is ``invalid_arguments``, ``unknown_tool``,
    ``error``, ``timeout``, ``cancelled``, ``denied``, ``unavailable``, ``too_large`` or
    ``disconnected``. The model was sent ``output`` so that it can recover (except when the
    session ended first: ``disconnected``, or ``cancelled`` by the app's close)."""

    type: ClassVar[str] = "tool.call.failed"
    call_id: str
    name: str
    kind: str
    message: str
    output: str
    duration_s: float
    exception: BaseException | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class ToolCallAbandoned(FrameworkEvent):
    """A tool's code finished after its call had been given up (a timeout, a barge-in, the
    connection dropped): its side effects happened, but the model never got ``output``."""

    type: ClassVar[str] = "tool.call.abandoned"
    call_id: str
    name: str
    output: str


@dataclass(frozen=True)
class ResponseRequested(FrameworkEvent):
    """The framework sent ``response.create`` because tool outputs are waiting for the model."""

    type: ClassVar[str] = "response.requested"
    call_ids: tuple[str, ...]


@dataclass(frozen=True)
class AudioInterrupted(FrameworkEvent):
    """The user barged in (or ``interrupt()`` was called): stop playing assistant audio now."""

    type: ClassVar[str] = "audio.interrupted"
    item_id: str | None
    played_ms: int | None


@dataclass(frozen=True)
class SessionWarning(FrameworkEvent):
    """Something went wrong that the session survived: a malformed frame, an unknown event,
    a handler that raised, events dropped because the app read too slowly."""

    type: ClassVar[str] = "session.warning"
    message: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SessionClosed(FrameworkEvent):
    """The last event of a session: why it ended."""

    type: ClassVar[str] = "session.closed"
    reason: str
    error: bool = False
