"""The session's event vocabulary: the events the framework adds beside the server's own,
and ``SessionEvent``, the union of both that ``async for event in session`` yields.

Each has a ``type`` like server events do, so one ``match``/``if`` on ``event.type`` (or
``@session.on("tool.call.completed")``) handles both, and mypy narrows the union on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, Union

from .._event import FrameworkEvent
from .._redact import redact
from ..approvals.events import (
    ApprovalAwaiting,
    ApprovalDecided,
    ApprovalRequested,
    GuardrailTripped,
)
from ..mcp.events import MCPServerFailed, MCPToolsChanged
from ..protocol import ServerEvent
from ..usage import UsageRecord


@dataclass(frozen=True)
class ToolCallStarted(FrameworkEvent):
    """A function tool (or local MCP tool) call began: its arguments passed their checks, and
    approval (if it needs one) comes next. A call whose tool is unknown or whose arguments
    are invalid has no ``tool.call.started``, only ``tool.call.failed``.

    ``arguments`` is what the tool receives, by parameter name, after validation and
    coercion (``"false"`` has become ``False``, a date string a ``datetime.date``): the same
    dict an approval request shows. ``arguments_json`` is the text the model sent."""

    type: Literal["tool.call.started"] = field(default="tool.call.started", init=False)
    call_id: str
    name: str
    arguments: dict[str, Any]
    arguments_json: str
    response_id: str | None = None


@dataclass(frozen=True)
class ToolCallCompleted(FrameworkEvent):
    """A tool returned; ``output`` is what the model was sent."""

    type: Literal["tool.call.completed"] = field(default="tool.call.completed", init=False)
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

    type: Literal["tool.call.failed"] = field(default="tool.call.failed", init=False)
    call_id: str
    name: str
    kind: str
    message: str
    output: str
    duration_s: float
    exception: BaseException | None = field(default=None, repr=False, compare=False)
    arguments_json: str = ""
    """The arguments as the model sent them (the only form a call that failed before it
    started has: its text may not even be JSON)."""


@dataclass(frozen=True)
class ToolCallAbandoned(FrameworkEvent):
    """A tool's code finished after its call had been given up (a timeout, a barge-in, the
    connection dropped): its side effects happened, but the model never got ``output``."""

    type: Literal["tool.call.abandoned"] = field(default="tool.call.abandoned", init=False)
    call_id: str
    name: str
    output: str


@dataclass(frozen=True)
class ResponseRequested(FrameworkEvent):
    """The framework sent ``response.create`` because tool outputs are waiting for the model."""

    type: Literal["response.requested"] = field(default="response.requested", init=False)
    call_ids: tuple[str, ...]


@dataclass(frozen=True)
class ProgressSpoken(FrameworkEvent):
    """A tool's progress update (``await ctx.progress(...)``) is being spoken: an
    out-of-band response was asked for with it (on GPT-Live, commentary was appended)."""

    type: Literal["progress.spoken"] = field(default="progress.spoken", init=False)
    call_id: str
    text: str


@dataclass(frozen=True)
class ProgressDropped(FrameworkEvent):
    """A tool's progress update was never spoken, or was cut off: its call finished first
    (while it waited, or once asked for or speaking: its response is then cancelled), a
    later update replaced it while it waited (for a response to end), its call was
    answered already (background work, a call past its deadline), or (GPT-Live, which
    does not hold one) the connection was down."""

    type: Literal["progress.dropped"] = field(default="progress.dropped", init=False)
    call_id: str
    text: str
    reason: str


@dataclass(frozen=True)
class DelegationAnswered(FrameworkEvent):
    """GPT-Live: the app's answer to a client delegation (its ``on_delegation``'s, or
    ``session.commentary``/``session.thinking`` naming the delegation) is on the session's
    timeline: the server acknowledged it."""

    type: Literal["delegation.answered"] = field(default="delegation.answered", init=False)
    delegation_id: str
    kind: Literal["commentary", "thinking"]


@dataclass(frozen=True)
class FillerRequested(FrameworkEvent):
    """A batch's calls were still running ``Agent.filler_after_ms`` after its response was
    done: a short filler was asked for (an out-of-band response, never the batch's answer).
    ``response_id``: the response whose batch it fills; ``call_ids``: its calls running."""

    type: Literal["filler.requested"] = field(default="filler.requested", init=False)
    call_ids: tuple[str, ...]
    response_id: str | None = None


@dataclass(frozen=True)
class AudioInterrupted(FrameworkEvent):
    """The user barged in (or ``interrupt()`` was called): stop playing assistant audio now."""

    type: Literal["audio.interrupted"] = field(default="audio.interrupted", init=False)
    item_id: str | None
    played_ms: int | None


@dataclass(frozen=True)
class SessionWarning(FrameworkEvent):
    """Something went wrong that the session survived: a malformed frame, an unknown event,
    a handler that raised, events dropped because the app read too slowly."""

    type: Literal["session.warning"] = field(default="session.warning", init=False)
    message: str
    detail: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A warning often quotes the server (its error's words, the start of a frame it could
        # not read), which may echo a secret: the one place they are masked, for every one.
        object.__setattr__(self, "message", redact(self.message))
        object.__setattr__(self, "detail", _masked(self.detail))

    @classmethod
    def response_refused(cls, message: str, code: str | None) -> SessionWarning:
        """The server refused our ``response.create`` for good (not a race: that is waited
        out); ``detail["refused"]`` says so (``ask`` stops waiting on it)."""
        detail = {"code": code, "refused": "response.create"}
        return cls(f"response.create failed: {message}", detail)


def _masked(value: Any) -> Any:
    """``value`` with every string in it redacted (see ``SessionWarning``)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    if type(value) in (list, tuple):
        return type(value)(_masked(item) for item in value)
    return value


@dataclass(frozen=True)
class SessionReconnecting(FrameworkEvent):
    """The connection dropped and the session is opening a new one: ``attempt`` (from 1)
    starts after ``delay_s``. ``cause`` says how the last connection ended."""

    type: Literal["session.reconnecting"] = field(default="session.reconnecting", init=False)
    attempt: int
    delay_s: float
    cause: str


@dataclass(frozen=True)
class SessionReconnected(FrameworkEvent):
    """The session is connected again: ``session_id`` is the new Realtime session (the same
    one for a sideband call), given back ``items_replayed`` items of the conversation."""

    type: Literal["session.reconnected"] = field(default="session.reconnected", init=False)
    session_id: str | None
    items_replayed: int
    attempts: int
    downtime_s: float


@dataclass(frozen=True)
class TranscriptDelta(FrameworkEvent):
    """A piece of what was said, on either API: the assistant's speech (or text), or the
    user's speech as transcribed. The same event on Realtime (from
    ``response.output_audio_transcript.delta``, ``response.output_text.delta`` and
    ``conversation.item.input_audio_transcription.delta``) and on GPT-Live (from
    ``session.output_transcript.delta`` and ``session.input_transcript.delta``), so that an
    app that shows or keeps a transcript runs unchanged on both. It follows the server's
    own event, which stays in the stream."""

    type: Literal["transcript.delta"] = field(default="transcript.delta", init=False)
    role: Literal["user", "assistant"]
    delta: str
    item_id: str | None = None
    """The conversation item it belongs to (Realtime; GPT-Live has no items)."""
    start_ms: int | None = None
    """Where it starts on the session's timeline (GPT-Live), in milliseconds."""
    end_ms: int | None = None


@dataclass(frozen=True)
class HandoffEvent(FrameworkEvent):
    """The session went from one agent to another through a transfer tool of
    ``Agent.handoffs`` (its ``call_id``): the server has the new agent's instructions and
    tools, and the conversation goes on. A transfer refused (``max_handoffs``) has none."""

    type: Literal["handoff"] = field(default="handoff", init=False)
    from_agent: str
    to_agent: str
    call_id: str
    tool_name: str


@dataclass(frozen=True)
class BackgroundStarted(FrameworkEvent):
    """A background tool's call was answered "started" (``output``, its call's output); its
    work runs on, and ``background.completed`` or ``background.failed`` follows."""

    type: Literal["background.started"] = field(default="background.started", init=False)
    call_id: str
    name: str
    output: str


@dataclass(frozen=True)
class BackgroundCompleted(FrameworkEvent):
    """A background tool's work returned: ``output`` is its result, and ``message`` the text
    added to the conversation for the model (with one response asked for it)."""

    type: Literal["background.completed"] = field(default="background.completed", init=False)
    call_id: str
    name: str
    output: str
    message: str
    duration_s: float


@dataclass(frozen=True)
class BackgroundFailed(FrameworkEvent):
    """A background tool's work produced no result: ``kind`` as in ``tool.call.failed``
    (``error``, ``timeout``, ...). ``cancelled`` with ``message`` naming the close when the
    session ended before the work did: then nothing is told to the model."""

    type: Literal["background.failed"] = field(default="background.failed", init=False)
    call_id: str
    name: str
    kind: str
    message: str
    output: str
    duration_s: float
    exception: BaseException | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class UsageUpdated(FrameworkEvent):
    """The server reported usage: ``usage`` is what this report added (one response's,
    one transcription's, GPT-Live's new seconds), ``total`` the session's usage so far
    (``session.usage``), ``cost`` the total's cost (``None`` without ``prices``, or when
    part of it has no price). ``source`` says what reported it: a ``response``, a
    ``transcription``, GPT-Live's ``backend`` response, its ``session`` (its seconds) or
    its Decision API (``decision``); ``model`` whose usage it is; ``response_id`` the
    response's, when it is one."""

    type: Literal["usage.updated"] = field(default="usage.updated", init=False)
    usage: UsageRecord
    total: UsageRecord
    cost: Decimal | None = None
    source: Literal["response", "backend", "transcription", "session", "decision"] = "response"
    model: str | None = None
    response_id: str | None = None


@dataclass(frozen=True)
class SessionClosed(FrameworkEvent):
    """The last event of a session: why it ended."""

    type: Literal["session.closed"] = field(default="session.closed", init=False)
    reason: str
    error: bool = False


FrameworkEventType = Union[
    ToolCallStarted,
    ToolCallCompleted,
    ToolCallFailed,
    ToolCallAbandoned,
    ResponseRequested,
    ProgressSpoken,
    ProgressDropped,
    FillerRequested,
    DelegationAnswered,
    AudioInterrupted,
    TranscriptDelta,
    SessionWarning,
    SessionReconnecting,
    SessionReconnected,
    SessionClosed,
    UsageUpdated,
    HandoffEvent,
    BackgroundStarted,
    BackgroundCompleted,
    BackgroundFailed,
    ApprovalRequested,
    ApprovalAwaiting,
    ApprovalDecided,
    GuardrailTripped,
    MCPServerFailed,
    MCPToolsChanged,
]
"""Every event rtagents itself adds to a session's stream."""

SessionEvent = Union[ServerEvent, FrameworkEventType]
"""What a session yields: a typed server event or a framework event. Narrow it with
``event.type`` (``if``/``match``) or ``isinstance``."""
