"""The 45 events a server sends."""

from __future__ import annotations

from typing import Literal

from ._base import WireModel
from .items import ConversationItem
from .responses import Response
from .session_config import AnySessionConfig


class _ServerEvent(WireModel):
    event_id: str


# -- session and conversation -----------------------------------------------------------


class SessionCreated(_ServerEvent):
    type: Literal["session.created"] = "session.created"
    session: AnySessionConfig


class SessionUpdated(_ServerEvent):
    type: Literal["session.updated"] = "session.updated"
    session: AnySessionConfig


class ConversationInfo(WireModel):
    id: str | None = None
    object: Literal["realtime.conversation"] | None = None


class ConversationCreated(_ServerEvent):
    type: Literal["conversation.created"] = "conversation.created"
    conversation: ConversationInfo


class ErrorDetail(WireModel):
    type: str
    message: str
    code: str | None = None
    event_id: str | None = None
    param: str | None = None


class Error(_ServerEvent):
    """An error; most are recoverable and the session stays open."""

    type: Literal["error"] = "error"
    error: ErrorDetail


class RateLimit(WireModel):
    limit: int | None = None
    name: Literal["requests", "tokens"] | None = None
    remaining: int | None = None
    reset_seconds: float | None = None


class RateLimitsUpdated(_ServerEvent):
    type: Literal["rate_limits.updated"] = "rate_limits.updated"
    rate_limits: list[RateLimit]


# -- conversation items ------------------------------------------------------------------


class ConversationItemCreated(_ServerEvent):
    type: Literal["conversation.item.created"] = "conversation.item.created"
    item: ConversationItem
    previous_item_id: str | None = None


class ConversationItemAdded(_ServerEvent):
    type: Literal["conversation.item.added"] = "conversation.item.added"
    item: ConversationItem
    previous_item_id: str | None = None


class ConversationItemDone(_ServerEvent):
    type: Literal["conversation.item.done"] = "conversation.item.done"
    item: ConversationItem
    previous_item_id: str | None = None


class ConversationItemRetrieved(_ServerEvent):
    type: Literal["conversation.item.retrieved"] = "conversation.item.retrieved"
    item: ConversationItem


class ConversationItemDeleted(_ServerEvent):
    type: Literal["conversation.item.deleted"] = "conversation.item.deleted"
    item_id: str


class ConversationItemTruncated(_ServerEvent):
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


class InputAudioTranscriptionCompleted(_ServerEvent):
    type: Literal["conversation.item.input_audio_transcription.completed"] = (
        "conversation.item.input_audio_transcription.completed"
    )
    item_id: str
    content_index: int
    transcript: str
    usage: TranscriptUsageTokens | TranscriptUsageDuration
    logprobs: list[LogProb] | None = None


class InputAudioTranscriptionDelta(_ServerEvent):
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


class InputAudioTranscriptionFailed(_ServerEvent):
    type: Literal["conversation.item.input_audio_transcription.failed"] = (
        "conversation.item.input_audio_transcription.failed"
    )
    item_id: str
    content_index: int
    error: TranscriptionErrorDetail


class InputAudioTranscriptionSegment(_ServerEvent):
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


class InputAudioBufferCommitted(_ServerEvent):
    type: Literal["input_audio_buffer.committed"] = "input_audio_buffer.committed"
    item_id: str
    previous_item_id: str | None = None


class InputAudioBufferCleared(_ServerEvent):
    type: Literal["input_audio_buffer.cleared"] = "input_audio_buffer.cleared"


class InputAudioBufferSpeechStarted(_ServerEvent):
    type: Literal["input_audio_buffer.speech_started"] = "input_audio_buffer.speech_started"
    audio_start_ms: int
    item_id: str


class InputAudioBufferSpeechStopped(_ServerEvent):
    type: Literal["input_audio_buffer.speech_stopped"] = "input_audio_buffer.speech_stopped"
    audio_end_ms: int
    item_id: str


class InputAudioBufferTimeoutTriggered(_ServerEvent):
    type: Literal["input_audio_buffer.timeout_triggered"] = "input_audio_buffer.timeout_triggered"
    audio_start_ms: int
    audio_end_ms: int
    item_id: str


# -- output audio buffer (WebRTC) --------------------------------------------------------


class OutputAudioBufferStarted(_ServerEvent):
    type: Literal["output_audio_buffer.started"] = "output_audio_buffer.started"
    response_id: str


class OutputAudioBufferStopped(_ServerEvent):
    type: Literal["output_audio_buffer.stopped"] = "output_audio_buffer.stopped"
    response_id: str


class OutputAudioBufferCleared(_ServerEvent):
    type: Literal["output_audio_buffer.cleared"] = "output_audio_buffer.cleared"
    response_id: str


# -- responses ---------------------------------------------------------------------------


class ResponseCreated(_ServerEvent):
    type: Literal["response.created"] = "response.created"
    response: Response


class ResponseDone(_ServerEvent):
    type: Literal["response.done"] = "response.done"
    response: Response


class ResponseOutputItemAdded(_ServerEvent):
    type: Literal["response.output_item.added"] = "response.output_item.added"
    response_id: str
    output_index: int
    item: ConversationItem


class ResponseOutputItemDone(_ServerEvent):
    type: Literal["response.output_item.done"] = "response.output_item.done"
    response_id: str
    output_index: int
    item: ConversationItem


class ContentPart(WireModel):
    type: Literal["text", "audio"] | None = None
    audio: str | None = None
    text: str | None = None
    transcript: str | None = None


class _ContentEvent(_ServerEvent):
    response_id: str
    item_id: str
    output_index: int
    content_index: int


class ResponseContentPartAdded(_ContentEvent):
    type: Literal["response.content_part.added"] = "response.content_part.added"
    part: ContentPart


class ResponseContentPartDone(_ContentEvent):
    type: Literal["response.content_part.done"] = "response.content_part.done"
    part: ContentPart


class ResponseOutputTextDelta(_ContentEvent):
    type: Literal["response.output_text.delta"] = "response.output_text.delta"
    delta: str


class ResponseOutputTextDone(_ContentEvent):
    type: Literal["response.output_text.done"] = "response.output_text.done"
    text: str


class ResponseOutputAudioDelta(_ContentEvent):
    type: Literal["response.output_audio.delta"] = "response.output_audio.delta"
    delta: str


class ResponseOutputAudioDone(_ContentEvent):
    type: Literal["response.output_audio.done"] = "response.output_audio.done"


class ResponseOutputAudioTranscriptDelta(_ContentEvent):
    type: Literal["response.output_audio_transcript.delta"] = (
        "response.output_audio_transcript.delta"
    )
    delta: str


class ResponseOutputAudioTranscriptDone(_ContentEvent):
    type: Literal["response.output_audio_transcript.done"] = "response.output_audio_transcript.done"
    transcript: str


class ResponseFunctionCallArgumentsDelta(_ServerEvent):
    type: Literal["response.function_call_arguments.delta"] = (
        "response.function_call_arguments.delta"
    )
    response_id: str
    item_id: str
    output_index: int
    call_id: str
    delta: str


class ResponseFunctionCallArgumentsDone(_ServerEvent):
    type: Literal["response.function_call_arguments.done"] = "response.function_call_arguments.done"
    response_id: str
    item_id: str
    output_index: int
    call_id: str
    arguments: str
    # Not in the spec's typings, but newer servers send the function's name here.
    name: str | None = None


# -- hosted MCP --------------------------------------------------------------------------


class McpListToolsInProgress(_ServerEvent):
    type: Literal["mcp_list_tools.in_progress"] = "mcp_list_tools.in_progress"
    item_id: str


class McpListToolsCompleted(_ServerEvent):
    type: Literal["mcp_list_tools.completed"] = "mcp_list_tools.completed"
    item_id: str


class McpListToolsFailed(_ServerEvent):
    type: Literal["mcp_list_tools.failed"] = "mcp_list_tools.failed"
    item_id: str


class ResponseMcpCallArgumentsDelta(_ServerEvent):
    type: Literal["response.mcp_call_arguments.delta"] = "response.mcp_call_arguments.delta"
    response_id: str
    item_id: str
    output_index: int
    delta: str
    obfuscation: str | None = None


class ResponseMcpCallArgumentsDone(_ServerEvent):
    type: Literal["response.mcp_call_arguments.done"] = "response.mcp_call_arguments.done"
    response_id: str
    item_id: str
    output_index: int
    arguments: str


class ResponseMcpCallInProgress(_ServerEvent):
    type: Literal["response.mcp_call.in_progress"] = "response.mcp_call.in_progress"
    item_id: str
    output_index: int


class ResponseMcpCallCompleted(_ServerEvent):
    type: Literal["response.mcp_call.completed"] = "response.mcp_call.completed"
    item_id: str
    output_index: int


class ResponseMcpCallFailed(_ServerEvent):
    type: Literal["response.mcp_call.failed"] = "response.mcp_call.failed"
    item_id: str
    output_index: int


SERVER_EVENT_TYPES: tuple[type[_ServerEvent], ...] = (
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
    ResponseOutputAudioDelta,
    ResponseOutputAudioDone,
    ResponseOutputAudioTranscriptDelta,
    ResponseOutputAudioTranscriptDone,
    ResponseContentPartAdded,
    ResponseContentPartDone,
    ResponseCreated,
    ResponseDone,
    ResponseFunctionCallArgumentsDelta,
    ResponseFunctionCallArgumentsDone,
    ResponseOutputItemAdded,
    ResponseOutputItemDone,
    ResponseOutputTextDelta,
    ResponseOutputTextDone,
    SessionCreated,
    SessionUpdated,
    OutputAudioBufferStarted,
    OutputAudioBufferStopped,
    OutputAudioBufferCleared,
    ConversationItemAdded,
    ConversationItemDone,
    InputAudioBufferTimeoutTriggered,
    InputAudioTranscriptionSegment,
    McpListToolsInProgress,
    McpListToolsCompleted,
    McpListToolsFailed,
    ResponseMcpCallArgumentsDelta,
    ResponseMcpCallArgumentsDone,
    ResponseMcpCallInProgress,
    ResponseMcpCallCompleted,
    ResponseMcpCallFailed,
)
