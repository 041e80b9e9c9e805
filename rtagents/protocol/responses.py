"""The response resource, its status and usage, and ``response.create`` parameters."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ._base import WireModel
from .items import ConversationItem
from .session_config import (
    AudioFormat,
    MaxOutputTokens,
    Modality,
    Prompt,
    Reasoning,
    ToolChoice,
    ToolDefinition,
    Voice,
)

ResponseStatusValue = Literal["completed", "cancelled", "failed", "incomplete", "in_progress"]


class ResponseAudioOutput(WireModel):
    format: AudioFormat | None = None
    voice: Voice | None = None


class ResponseAudio(WireModel):
    output: ResponseAudioOutput | None = None


class ResponseStatusError(WireModel):
    type: str | None = None
    code: str | None = None
    message: str | None = None


class ResponseStatusDetails(WireModel):
    type: Literal["completed", "cancelled", "incomplete", "failed"] | None = None
    error: ResponseStatusError | None = None
    reason: (
        Literal["turn_detected", "client_cancelled", "max_output_tokens", "content_filter"] | None
    ) = None


class CachedTokensDetails(WireModel):
    audio_tokens: int | None = None
    image_tokens: int | None = None
    text_tokens: int | None = None


class InputTokenDetails(WireModel):
    audio_tokens: int | None = None
    cached_tokens: int | None = None
    cached_tokens_details: CachedTokensDetails | None = None
    image_tokens: int | None = None
    text_tokens: int | None = None


class OutputTokenDetails(WireModel):
    audio_tokens: int | None = None
    text_tokens: int | None = None


class Usage(WireModel):
    input_token_details: InputTokenDetails | None = None
    input_tokens: int | None = None
    output_token_details: OutputTokenDetails | None = None
    output_tokens: int | None = None
    total_tokens: int | None = None


Metadata = dict[str, str]


class Response(WireModel):
    """A response (``RealtimeResponse``): its output items, status and usage."""

    id: str | None = None
    audio: ResponseAudio | None = None
    conversation_id: str | None = None
    max_output_tokens: int | Literal["inf"] | None = None
    metadata: Metadata | None = None
    object: Literal["realtime.response"] | None = None
    output: list[ConversationItem] | None = None
    output_modalities: list[Modality] | None = None
    status: ResponseStatusValue | None = None
    status_details: ResponseStatusDetails | None = None
    usage: Usage | None = None

    @property
    def out_of_band(self) -> bool:
        """Whether it runs outside the conversation (asked with ``conversation: "none"``):
        the server says so with a null ``conversation_id``."""
        return "conversation_id" in self.model_fields_set and self.conversation_id is None


class ResponseCreateParams(WireModel):
    """Per-response overrides for ``response.create``."""

    audio: ResponseAudio | None = None
    conversation: str | None = Field(default=None, description="'auto', 'none' or an id")
    input: list[ConversationItem] | None = None
    instructions: str | None = None
    max_output_tokens: MaxOutputTokens | None = None
    metadata: Metadata | None = None
    output_modalities: list[Modality] | None = None
    parallel_tool_calls: bool | None = None
    prompt: Prompt | None = None
    reasoning: Reasoning | None = None
    tool_choice: ToolChoice | None = None
    tools: list[ToolDefinition] | None = None
