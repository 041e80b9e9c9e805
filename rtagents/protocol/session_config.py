"""Session configuration: audio formats, turn detection, tools, tracing, truncation."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import Discriminator, Field, Tag

from ._base import ReprArgs, WireModel, url_hidden


class VoiceId(WireModel):
    """A custom voice, as the server reports it: ``{"id": "voice_1234"}``."""

    id: str


Voice = Union[str, VoiceId]
"""A voice name (``alloy``, ``ash``, ``ballad``, ``coral``, ``echo``, ``sage``, ``shimmer``,
``verse``, ``marin``, ``cedar``, or any newer one), or a custom ``VoiceId``."""

KNOWN_VOICES = frozenset(
    {"alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse", "marin", "cedar"}
)
ConnectorId = Literal[
    "connector_dropbox",
    "connector_gmail",
    "connector_googlecalendar",
    "connector_googledrive",
    "connector_microsoftteams",
    "connector_outlookcalendar",
    "connector_outlookemail",
    "connector_sharepoint",
]
Modality = Literal["text", "audio"]
NoiseReductionType = Literal["near_field", "far_field"]
Include = Literal["item.input_audio_transcription.logprobs"]
Effort = Literal["minimal", "low", "medium", "high", "xhigh"]

TranscriptionModel = Union[
    Literal[
        "whisper-1",
        "gpt-transcribe",
        "gpt-live-transcribe",
        "gpt-4o-mini-transcribe",
        "gpt-4o-mini-transcribe-2025-12-15",
        "gpt-4o-transcribe",
        "gpt-4o-transcribe-diarize",
        "gpt-realtime-whisper",
    ],
    str,
]
"""A transcription model: the API takes any name (it adds models often), so any string goes;
the literals are the names known when this was written."""


# -- audio -----------------------------------------------------------------------------


class AudioPCM(WireModel):
    """16-bit little-endian PCM, mono, 24 kHz (the only rate the API takes)."""

    type: Literal["audio/pcm"] | None = "audio/pcm"
    rate: Literal[24000] | None = None


class AudioPCMU(WireModel):
    """G.711 mu-law, 8 kHz."""

    type: Literal["audio/pcmu"] | None = "audio/pcmu"


class AudioPCMA(WireModel):
    """G.711 A-law, 8 kHz."""

    type: Literal["audio/pcma"] | None = "audio/pcma"


def _format_tag(value: Any) -> str:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return "audio/pcm" if kind is None else kind if isinstance(kind, str) else "invalid"


AudioFormat = Annotated[
    Annotated[AudioPCM, Tag("audio/pcm")]
    | Annotated[AudioPCMU, Tag("audio/pcmu")]
    | Annotated[AudioPCMA, Tag("audio/pcma")],
    Discriminator(_format_tag),
]


class NoiseReduction(WireModel):
    type: NoiseReductionType | None = None
    strength: float | None = Field(default=None, ge=0.0)
    """More suppresses more; 1 when first enabled, kept when an update leaves it out."""


class AudioTranscription(WireModel):
    model: TranscriptionModel | None = None
    language: str | None = None
    languages: list[str] | None = None
    """Languages the audio may be in (ISO-639-1), for ``gpt-transcribe`` models."""
    keywords: list[str] | None = None
    """Words or phrases to guide transcription, for ``gpt-transcribe`` models."""
    delay: Effort | None = None
    """How long to wait before emitting text (latency against accuracy)."""
    prompt: str | None = None


class ServerVad(WireModel):
    """Turn detection from audio energy."""

    type: Literal["server_vad"] = "server_vad"
    create_response: bool | None = None
    idle_timeout_ms: int | None = Field(default=None, ge=0)
    interrupt_response: bool | None = None
    prefix_padding_ms: int | None = Field(default=None, ge=0)
    silence_duration_ms: int | None = Field(default=None, ge=0)
    threshold: float | None = Field(default=None, ge=0.0, le=1.0)


class SemanticVad(WireModel):
    """Turn detection by a model that judges whether the user has finished."""

    type: Literal["semantic_vad"] = "semantic_vad"
    create_response: bool | None = None
    eagerness: Literal["low", "medium", "high", "auto"] | None = None
    interrupt_response: bool | None = None


TurnDetection = Annotated[ServerVad | SemanticVad, Field(discriminator="type")]


class AudioInput(WireModel):
    format: AudioFormat | None = None
    noise_reduction: NoiseReduction | None = None
    transcription: AudioTranscription | None = None
    turn_detection: TurnDetection | None = None


class AudioOutput(WireModel):
    format: AudioFormat | None = None
    speed: float | None = Field(default=None, ge=0.25, le=1.5)
    voice: Voice | None = None


class AudioConfig(WireModel):
    input: AudioInput | None = None
    output: AudioOutput | None = None


# -- tools -----------------------------------------------------------------------------


class FunctionToolDefinition(WireModel):
    """The wire form of a function tool (``RealtimeFunctionTool``)."""

    type: Literal["function"] | None = "function"
    name: str | None = None
    description: str | None = None
    parameters: Any | None = None


class McpToolFilter(WireModel):
    read_only: bool | None = None
    tool_names: list[str] | None = None


class McpApprovalFilter(WireModel):
    always: McpToolFilter | None = None
    never: McpToolFilter | None = None


class McpToolDefinition(WireModel):
    """The wire form of a hosted MCP server (``type: "mcp"``)."""

    type: Literal["mcp"] = "mcp"
    server_label: str
    allowed_callers: list[Literal["direct", "programmatic"]] | None = None
    allowed_tools: list[str] | McpToolFilter | None = None
    authorization: str | None = Field(default=None, repr=False)
    connector_id: ConnectorId | None = None
    defer_loading: bool | None = None
    """Discover the server's tools through tool search instead of listing them up front."""
    headers: dict[str, str] | None = Field(default=None, repr=False)
    require_approval: McpApprovalFilter | Literal["always", "never"] | None = None
    server_description: str | None = None
    server_url: str | None = None
    tunnel_id: str | None = None
    """A Secure MCP Tunnel, instead of ``server_url`` or ``connector_id``."""

    def __repr_args__(self) -> ReprArgs:
        return url_hidden(super().__repr_args__())


def _tool_tag(value: Any) -> str:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return "mcp" if kind == "mcp" else "function"


ToolDefinition = Annotated[
    Annotated[FunctionToolDefinition, Tag("function")] | Annotated[McpToolDefinition, Tag("mcp")],
    Discriminator(_tool_tag),
]


class ToolChoiceFunction(WireModel):
    type: Literal["function"] = "function"
    name: str


class ToolChoiceMcp(WireModel):
    type: Literal["mcp"] = "mcp"
    server_label: str
    name: str | None = None


ToolChoice = Union[
    Literal["none", "auto", "required"],
    Annotated[ToolChoiceFunction | ToolChoiceMcp, Field(discriminator="type")],
]


# -- tracing, truncation, prompt -------------------------------------------------------


class TracingConfiguration(WireModel):
    group_id: str | None = None
    metadata: Any | None = None
    workflow_name: str | None = None


TracingConfig = Union[Literal["auto"], TracingConfiguration]


class TokenLimits(WireModel):
    post_instructions: int | None = Field(default=None, ge=0)


class RetentionRatioTruncation(WireModel):
    type: Literal["retention_ratio"] = "retention_ratio"
    retention_ratio: float = Field(ge=0.0, le=1.0)
    token_limits: TokenLimits | None = None


Truncation = Union[Literal["auto", "disabled"], RetentionRatioTruncation]


class Prompt(WireModel):
    """A reference to a stored prompt template and its variables."""

    id: str
    variables: dict[str, Any] | None = None
    version: str | None = None


class Reasoning(WireModel):
    """Reasoning settings of reasoning models (``gpt-realtime-2``)."""

    effort: Effort | None = None


MaxOutputTokens = Union[Annotated[int, Field(ge=1, le=4096)], Literal["inf"]]


# -- sessions --------------------------------------------------------------------------


class SessionConfig(WireModel):
    """A realtime session (``RealtimeSessionCreateRequest``)."""

    type: Literal["realtime"] = "realtime"
    audio: AudioConfig | None = None
    include: list[Include] | None = None
    instructions: str | None = None
    max_output_tokens: MaxOutputTokens | None = None
    model: str | None = None
    output_modalities: list[Modality] | None = None
    parallel_tool_calls: bool | None = None
    prompt: Prompt | None = None
    reasoning: Reasoning | None = None
    tool_choice: ToolChoice | None = None
    tools: list[ToolDefinition] | None = None
    tracing: TracingConfig | None = None
    truncation: Truncation | None = None


class TranscriptionAudioInput(WireModel):
    format: AudioFormat | None = None
    noise_reduction: NoiseReduction | None = None
    transcription: AudioTranscription | None = None
    turn_detection: TurnDetection | None = None


class TranscriptionAudio(WireModel):
    input: TranscriptionAudioInput | None = None


class TranscriptionSessionConfig(WireModel):
    """A transcription-only session (``RealtimeTranscriptionSessionCreateRequest``)."""

    type: Literal["transcription"] = "transcription"
    audio: TranscriptionAudio | None = None
    include: list[Include] | None = None


AnySessionConfig = Annotated[
    SessionConfig | TranscriptionSessionConfig, Field(discriminator="type")
]


# -- the beta-era shapes the spec still describes ----------------------------------------


class BetaServerVad(WireModel):
    type: Literal["server_vad"] = "server_vad"
    create_response: bool | None = None
    idle_timeout_ms: int | None = None
    interrupt_response: bool | None = None
    prefix_padding_ms: int | None = None
    silence_duration_ms: int | None = None
    threshold: float | None = None


BetaAudioFormat = Literal["pcm16", "g711_ulaw", "g711_alaw"]


class BetaSession(WireModel):
    """The beta interface's session object (``RealtimeSession``), kept for reading old logs."""

    id: str | None = None
    expires_at: int | None = None
    include: list[Include] | None = None
    input_audio_format: BetaAudioFormat | None = None
    input_audio_noise_reduction: NoiseReduction | None = None
    input_audio_transcription: AudioTranscription | None = None
    instructions: str | None = None
    max_response_output_tokens: MaxOutputTokens | None = None
    modalities: list[Modality] | None = None
    model: str | None = None
    object: Literal["realtime.session"] | None = None
    output_audio_format: BetaAudioFormat | None = None
    prompt: Prompt | None = None
    speed: float | None = Field(default=None, ge=0.25, le=1.5)
    temperature: float | None = Field(default=None, ge=0.6, le=1.2)
    tool_choice: str | None = None
    tools: list[FunctionToolDefinition] | None = None
    tracing: TracingConfig | None = None
    turn_detection: TurnDetection | None = None
    voice: Voice | None = None


class BetaTranscriptionSession(WireModel):
    include: list[Include] | None = None
    input_audio_format: BetaAudioFormat | None = None
    input_audio_noise_reduction: NoiseReduction | None = None
    input_audio_transcription: AudioTranscription | None = None
    turn_detection: BetaServerVad | None = None


class ClientSecret(WireModel):
    expires_at: int
    value: str = Field(repr=False)


class BetaTranscriptionSessionUpdated(WireModel):
    client_secret: ClientSecret
    input_audio_format: str | None = None
    input_audio_transcription: AudioTranscription | None = None
    modalities: list[Modality] | None = None
    turn_detection: BetaServerVad | None = None
