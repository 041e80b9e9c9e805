"""The events a server sends: the spec's 45, and those the current API adds."""

from __future__ import annotations

from typing import Literal, Union, get_args

from ._base import ServerEventBase, WireModel
from .items import ConversationItem
from .response_events import ResponseEvent
from .session_config import AnySessionConfig

# -- session and conversation -----------------------------------------------------------


class SessionCreated(ServerEventBase):
    type: Literal["session.created"] = "session.created"
    session: AnySessionConfig


class SessionUpdated(ServerEventBase):
    type: Literal["session.updated"] = "session.updated"
    session: AnySessionConfig


class ConversationInfo(WireModel):
    id: str | None = None
    object: Literal["realtime.conversation"] | None = None


class ConversationCreated(ServerEventBase):
    type: Literal["conversation.created"] = "conversation.created"
    conversation: ConversationInfo


class ErrorDetail(WireModel):
    type: str
    message: str
    code: str | None = None
    event_id: str | None = None
    param: str | None = None


class Error(ServerEventBase):
    """An error; most are recoverable and the session stays open."""

    type: Literal["error"] = "error"
    error: ErrorDetail


class RateLimit(WireModel):
    limit: int | None = None
    name: Literal["requests", "tokens"] | None = None
    remaining: int | None = None
    reset_seconds: float | None = None


class RateLimitsUpdated(ServerEventBase):
    type: Literal["rate_limits.updated"] = "rate_limits.updated"
    rate_limits: list[RateLimit]


# -- conversation items ------------------------------------------------------------------


class ConversationItemCreated(ServerEventBase):
    type: Literal["conversation.item.created"] = "conversation.item.created"
    item: ConversationItem
    previous_item_id: str | None = None


class ConversationItemAdded(ServerEventBase):
    type: Literal["conversation.item.added"] = "conversation.item.added"
    item: ConversationItem
    previous_item_id: str | None = None


class ConversationItemDone(ServerEventBase):
    type: Literal["conversation.item.done"] = "conversation.item.done"
    item: ConversationItem
    previous_item_id: str | None = None


class ConversationItemRetrieved(ServerEventBase):
    type: Literal["conversation.item.retrieved"] = "conversation.item.retrieved"
    item: ConversationItem


class ConversationItemDeleted(ServerEventBase):
    type: Literal["conversation.item.deleted"] = "conversation.item.deleted"
    item_id: str


class ConversationItemTruncated(ServerEventBase):
    type: Literal["conversation.item.truncated"] = "conversation.item.truncated"
    item_id: str
    content_index: int
    audio_end_ms: int


class LogProb(WireModel):
    token: str
    bytes: list[int]
    logprob: float


class TranscriptTokenDetails(WireModel):
    audio_tokens: int | None = None
    text_tokens: int | None = None


class TranscriptUsageTokens(WireModel):
    type: Literal["tokens"] = "tokens"
    input_tokens: int
    output_tokens: int
    total_tokens: int
    input_token_details: TranscriptTokenDetails | None = None


class TranscriptUsageDuration(WireModel):
    type: Literal["duration"] = "duration"
    seconds: float


class TranscriptionLanguage(WireModel):
    """A language detected in the audio (ISO-639-1 ``code``)."""

    code: str


class InputAudioTranscriptionCompleted(ServerEventBase):
    type: Literal["conversation.item.input_audio_transcription.completed"] = (
        "conversation.item.input_audio_transcription.completed"
    )
    item_id: str
    content_index: int
    transcript: str
    # Optional here though the API always sends it: a shape of it this version cannot read
    # is left out, and the transcript (what guardrails check) is kept.
    usage: TranscriptUsageTokens | TranscriptUsageDuration | None = None
    languages: list[TranscriptionLanguage] | None = None
    logprobs: list[LogProb] | None = None


class InputAudioTranscriptionDelta(ServerEventBase):
    type: Literal["conversation.item.input_audio_transcription.delta"] = (
        "conversation.item.input_audio_transcription.delta"
    )
    item_id: str
    content_index: int | None = None
    delta: str | None = None
    logprobs: list[LogProb] | None = None


class TranscriptionErrorDetail(WireModel):
    type: str | None = None
    code: str | None = None
    message: str | None = None
    param: str | None = None


class InputAudioTranscriptionFailed(ServerEventBase):
    type: Literal["conversation.item.input_audio_transcription.failed"] = (
        "conversation.item.input_audio_transcription.failed"
    )
    item_id: str
    content_index: int
    error: TranscriptionErrorDetail


class InputAudioTranscriptionSegment(ServerEventBase):
    type: Literal["conversation.item.input_audio_transcription.segment"] = (
        "conversation.item.input_audio_transcription.segment"
    )
    id: str
    item_id: str
    content_index: int
    start: float
    end: float
    speaker: str
    text: str


# -- input audio buffer ------------------------------------------------------------------


class InputAudioBufferCommitted(ServerEventBase):
    type: Literal["input_audio_buffer.committed"] = "input_audio_buffer.committed"
    item_id: str
    previous_item_id: str | None = None


class InputAudioBufferCleared(ServerEventBase):
    type: Literal["input_audio_buffer.cleared"] = "input_audio_buffer.cleared"


class InputAudioBufferSpeechStarted(ServerEventBase):
    type: Literal["input_audio_buffer.speech_started"] = "input_audio_buffer.speech_started"
    audio_start_ms: int
    item_id: str


class InputAudioBufferSpeechStopped(ServerEventBase):
    type: Literal["input_audio_buffer.speech_stopped"] = "input_audio_buffer.speech_stopped"
    audio_end_ms: int
    item_id: str


class InputAudioBufferTimeoutTriggered(ServerEventBase):
    type: Literal["input_audio_buffer.timeout_triggered"] = "input_audio_buffer.timeout_triggered"
    audio_start_ms: int
    audio_end_ms: int
    item_id: str


class InputAudioBufferDtmfEventReceived(WireModel):
    """SIP only: the caller pressed a key (``0``-``9``, ``*``, ``#``, ``A``-``D``);
    ``received_at`` is the server's Unix time. This event carries no ``event_id``."""

    type: Literal["input_audio_buffer.dtmf_event_received"] = (
        "input_audio_buffer.dtmf_event_received"
    )
    event: str
    received_at: int
    event_id: str | None = None


# -- output audio buffer (WebRTC) --------------------------------------------------------


class OutputAudioBufferStarted(ServerEventBase):
    type: Literal["output_audio_buffer.started"] = "output_audio_buffer.started"
    response_id: str


class OutputAudioBufferStopped(ServerEventBase):
    type: Literal["output_audio_buffer.stopped"] = "output_audio_buffer.stopped"
    response_id: str


class OutputAudioBufferCleared(ServerEventBase):
    type: Literal["output_audio_buffer.cleared"] = "output_audio_buffer.cleared"
    response_id: str


ServerEvent = Union[
    ConversationCreated,
    ConversationItemCreated,
    ConversationItemDeleted,
    InputAudioTranscriptionCompleted,
    InputAudioTranscriptionDelta,
    InputAudioTranscriptionFailed,
    ConversationItemRetrieved,
    ConversationItemTruncated,
    Error,
    InputAudioBufferCleared,
    InputAudioBufferCommitted,
    InputAudioBufferSpeechStarted,
    InputAudioBufferSpeechStopped,
    RateLimitsUpdated,
    SessionCreated,
    SessionUpdated,
    OutputAudioBufferStarted,
    OutputAudioBufferStopped,
    OutputAudioBufferCleared,
    ConversationItemAdded,
    ConversationItemDone,
    InputAudioBufferTimeoutTriggered,
    InputAudioTranscriptionSegment,
    InputAudioBufferDtmfEventReceived,
    ResponseEvent,
]
"""Every event a server sends, as a union mypy can narrow on ``event.type``."""

SERVER_EVENT_TYPES: tuple[type[WireModel], ...] = get_args(ServerEvent)

ITEM_ADDED = ("conversation.item.added", "conversation.item.created")
"""How a server says an item joined the conversation (``created``: the beta API's, Azure's):
whatever reads it reads both."""
