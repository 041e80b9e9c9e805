"""The events a Live server sends, to a primary connection, a sideband or a fork.

Most carry an ``event_id`` and, when they answer a client event that had one, its
``client_event_id``. Times (``start_ms``, ``end_ms``, ``offset_ms``) are milliseconds on the
session's timeline, from its start.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union, get_args

from pydantic import Discriminator, Tag

from .._base import ServerEventBase, WireModel
from ._tags import by_type
from .decisions import Decision, TranscriptEventType
from .items import DecisionItem
from .session_config import SessionResource
from .transport_events import (
    TransportAnswered,
    TransportDtmfReceived,
    TransportDtmfSendNotice,
    TransportDtmfSent,
    TransportFailed,
    TransportRinging,
)


class _ServerEvent(ServerEventBase):
    client_event_id: str | None = None


class _Timed(_ServerEvent):
    start_ms: int
    end_ms: int


# -- the session -----------------------------------------------------------------------------


class SessionStarted(_ServerEvent):
    """The session started, with its configuration as resolved (server defaults filled in)."""

    type: Literal["session.started"] = "session.started"
    session: SessionResource


class SessionUpdated(_ServerEvent):
    """A ``session.update`` was applied; the configuration as it now is."""

    type: Literal["session.updated"] = "session.updated"
    session: SessionResource


class SessionPaused(_ServerEvent):
    """A WebRTC session went idle: inference pauses, the connection and history stay."""

    type: Literal["session.paused"] = "session.paused"


class SessionResumed(_ServerEvent):
    """Speech woke a paused WebRTC session."""

    type: Literal["session.resumed"] = "session.resumed"


class SessionUsage(WireModel):
    """Billable seconds so far (a running total, not an increment)."""

    seconds: float
    active_seconds: int | None = None
    paused_seconds: int | None = None


class ContextWindow(WireModel):
    """How full the model's context is (0 to 1; compaction lowers it)."""

    usage_ratio: float


class SessionUsageUpdated(_ServerEvent):
    """The session's audio usage so far (the Responses backend's tokens come in
    ``response.event``s)."""

    type: Literal["session.usage.updated"] = "session.usage.updated"
    usage: SessionUsage
    context_window: ContextWindow | None = None


CloseReason = Union[
    Literal["close_requested", "expired", "content", "remote_hangup", "connection_lost"], str
]


class SessionClosed(_ServerEvent):
    """The session ended and was finalized: why, its last snapshot and its final usage. A
    connection that closes without this event was not finalized."""

    type: Literal["session.closed"] = "session.closed"
    # Open: a reason added later must not make the session's last event unreadable.
    reason: CloseReason
    session: SessionResource
    usage: SessionUsage

    def final_usage(self) -> SessionUsageUpdated:
        """Its usage, the session's final running total, as the running totals come (a
        meter counts what it adds to the last one)."""
        return SessionUsageUpdated(event_id=self.event_id, usage=self.usage)


# -- audio and transcripts -------------------------------------------------------------------


class InputAudioMuted(_ServerEvent):
    """The input is muted: the model hears silence (a sideband still gets the audio)."""

    type: Literal["session.input_audio.muted"] = "session.input_audio.muted"


class InputAudioUnmuted(_ServerEvent):
    """The input is no longer muted (a playing fixture still holds the model back)."""

    type: Literal["session.input_audio.unmuted"] = "session.input_audio.unmuted"


class InputAudioReflected(WireModel):
    """The caller's audio as the primary transport received it (24 kHz PCM16, base64),
    reflected to a sideband. It has the client event's type but answers nothing."""

    type: Literal["session.input_audio.append"] = "session.input_audio.append"
    audio: str
    event_id: str | None = None


class OutputAudioDelta(WireModel):
    """A chunk of the model's speech, base64: in the session's format on a primary
    WebSocket; 24 kHz PCM16 with its ``start_ms``/``end_ms`` on a sideband."""

    type: Literal["session.output_audio.delta"] = "session.output_audio.delta"
    delta: str
    start_ms: int | None = None
    end_ms: int | None = None
    """Exclusive; a gap before the next chunk's start is audio that was dropped."""
    event_id: str | None = None


class OutputAudioFixturePlaying(_ServerEvent):
    """The fixture was accepted and is playing."""

    type: Literal["session.output_audio.fixture.playing"] = "session.output_audio.fixture.playing"


class OutputAudioFixturePlayed(_ServerEvent):
    """The fixture left the server's mixer (the listener may still be hearing it)."""

    type: Literal["session.output_audio.fixture.played"] = "session.output_audio.fixture.played"


class InputTranscriptDelta(_Timed):
    """A piece of the user's transcript; pieces are appended in order (turns have no end)."""

    type: Literal["session.input_transcript.delta"] = "session.input_transcript.delta"
    delta: str


class OutputTranscriptDelta(_Timed):
    """A piece of the model's spoken transcript, appended in order."""

    type: Literal["session.output_transcript.delta"] = "session.output_transcript.delta"
    delta: str


# -- appended context ------------------------------------------------------------------------


class InstructionsAppended(_Timed):
    """The instructions are on the timeline (not that the model acted on them)."""

    type: Literal["session.instructions.appended"] = "session.instructions.appended"


class ThinkingAppended(_Timed):
    """The silent context is on the timeline."""

    type: Literal["session.thinking.appended"] = "session.thinking.appended"


class CommentaryAppended(_Timed):
    """The commentary is on the timeline (not that it was said, nor word for word)."""

    type: Literal["session.commentary.appended"] = "session.commentary.appended"


# -- delegation ------------------------------------------------------------------------------


class DelegationInfo(WireModel):
    """A delegated task: its id and who handles it (not the task's text)."""

    type: Literal["delegation"] = "delegation"
    id: str
    """The ``delegation_id`` to answer a client delegation with."""
    target: Union[Literal["client", "responses", "decisions"], str]
    response_id: str | None = None
    """The Responses backend's response, for a ``responses`` delegation."""


class DelegationCreated(_ServerEvent):
    """The model delegated a task, at ``offset_ms`` on the session's timeline."""

    type: Literal["session.delegation.created"] = "session.delegation.created"
    delegation: DelegationInfo
    offset_ms: int | None = None  # (told, not acted on: unreadable, the delegation still runs)


class ResponseEvent(_ServerEvent):
    """One event of the Responses backend's stream, as JSON in ``event``: read it with
    ``decode_response_event``. ``delegation_id`` ties it to its delegation (when it can)."""

    type: Literal["response.event"] = "response.event"
    event: dict[str, Any]
    delegation_id: str | None = None


class DecisionCompleted(WireModel):
    """The Decision API answered."""

    type: Literal["decision.completed"] = "decision.completed"
    decision: Decision


class UnknownDecisionEvent(WireModel):
    """A Decision API event of a kind this version does not know; every field is kept."""

    type: str


class DecisionEvent(_ServerEvent):
    """A Decision API result: for a ``decisions`` delegation (``delegation_id``), or for a
    trigger (``trigger_id``, and the transcript delta that fired it)."""

    type: Literal["decision.event"] = "decision.event"
    event: Annotated[
        Annotated[DecisionCompleted, Tag("decision.completed")]
        | Annotated[UnknownDecisionEvent, Tag("unknown")],
        Discriminator(by_type({"decision.completed": "decision.completed"})),
    ]
    delegation_id: str | None = None
    trigger_id: str | None = None
    source_event_id: str | None = None
    source_event_type: TranscriptEventType | None = None


class DecisionItemCreated(_ServerEvent):
    """An item was added to what decisions are made on (with the id it was given)."""

    type: Literal["decision.item.created"] = "decision.item.created"
    item: DecisionItem


class DecisionItemDeleted(_ServerEvent):
    """An item was removed from what decisions are made on."""

    type: Literal["decision.item.deleted"] = "decision.item.deleted"
    item_id: str


# -- notices ---------------------------------------------------------------------------------


class ErrorDetail(WireModel):
    """What went wrong (``type`` such as ``invalid_request_error``, ``code`` such as
    ``unknown_parameter``), the ``param`` at fault, and the client event that caused it."""

    type: str
    code: str | None = None  # (as the Realtime API's: an error without one is still said)
    message: str
    param: str | None = None
    client_event_id: str | None = None


class Error(_ServerEvent):
    """An error, such as an invalid client event; ``error.client_event_id`` names it."""

    type: Literal["error"] = "error"
    error: ErrorDetail


class Info(_ServerEvent):
    """A notice, such as the permissions a browser's data channel was given."""

    type: Literal["info"] = "info"
    code: str
    message: str


ServerEvent = Union[
    SessionStarted,
    SessionUpdated,
    SessionPaused,
    SessionResumed,
    SessionUsageUpdated,
    SessionClosed,
    InputAudioMuted,
    InputAudioUnmuted,
    InputAudioReflected,
    OutputAudioDelta,
    OutputAudioFixturePlaying,
    OutputAudioFixturePlayed,
    InputTranscriptDelta,
    OutputTranscriptDelta,
    InstructionsAppended,
    ThinkingAppended,
    CommentaryAppended,
    DelegationCreated,
    ResponseEvent,
    DecisionEvent,
    DecisionItemCreated,
    DecisionItemDeleted,
    Error,
    Info,
    TransportDtmfReceived,
    TransportDtmfSendNotice,
    TransportDtmfSent,
    TransportRinging,
    TransportAnswered,
    TransportFailed,
]
"""Every event a Live server sends, as a union mypy can narrow on ``event.type``."""

SERVER_EVENT_TYPES: tuple[type[WireModel], ...] = get_args(ServerEvent)
"""Every Live server event class."""


__all__ = [
    "SERVER_EVENT_TYPES",
    "CloseReason",
    "CommentaryAppended",
    "ContextWindow",
    "DecisionCompleted",
    "DecisionEvent",
    "DecisionItemCreated",
    "DecisionItemDeleted",
    "DelegationCreated",
    "DelegationInfo",
    "Error",
    "ErrorDetail",
    "Info",
    "InputAudioMuted",
    "InputAudioReflected",
    "InputAudioUnmuted",
    "InputTranscriptDelta",
    "InstructionsAppended",
    "OutputAudioDelta",
    "OutputAudioFixturePlayed",
    "OutputAudioFixturePlaying",
    "OutputTranscriptDelta",
    "ResponseEvent",
    "ServerEvent",
    "SessionClosed",
    "SessionPaused",
    "SessionResumed",
    "SessionStarted",
    "SessionUpdated",
    "SessionUsage",
    "SessionUsageUpdated",
    "ThinkingAppended",
    "UnknownDecisionEvent",
]
