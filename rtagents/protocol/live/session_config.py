"""A Live session's configuration: model, instructions, voice, audio format, who handles the
model's delegated tasks, the history it starts with, transcript triggers and what a browser's
data channel may do; and the session as the server reports it."""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import ConfigDict, Discriminator, Field, Tag

from .._base import WireModel
from ._tags import by_type
from .decisions import DecisionsConfig, DecisionsUpdate, DecisionTrigger
from .tools import ResponsesConfig, ResponsesUpdate

LiveModel = Union[Literal["gpt-live-1", "gpt-live-1.1"], str]
"""A Live model: any name goes (newer ones are added often); the literals are the known ones."""

BuiltInVoice = Literal[
    "alloy",
    "ash",
    "ballad",
    "beacon",
    "bossa",
    "cedar",
    "cinder",
    "coral",
    "delta",
    "echo",
    "gleam",
    "marin",
    "meridian",
    "quartz",
    "ripple",
    "sage",
    "shida",
    "shimmer",
    "stone",
    "tempo",
    "verse",
    "vesper",
    "willow",
]


class CustomVoice(WireModel):
    """A custom voice, by id: ``{"id": "voice_1234"}``."""

    id: str


Voice = Union[BuiltInVoice, str, CustomVoice]
"""A built-in voice's name (or any newer name), or a ``CustomVoice``. Fixed at startup."""

# -- audio -----------------------------------------------------------------------------------


class AudioPCM(WireModel):
    """16-bit little-endian PCM, mono, at 16 or 24 kHz."""

    type: Literal["audio/pcm"] = "audio/pcm"
    rate: Literal[16000, 24000]


class AudioPCMU(WireModel):
    """G.711 mu-law, mono (8 kHz)."""

    type: Literal["audio/pcmu"] = "audio/pcmu"
    rate: int


class AudioPCMA(WireModel):
    """G.711 A-law, mono (8 kHz)."""

    type: Literal["audio/pcma"] = "audio/pcma"
    rate: int


AudioFormat = Annotated[AudioPCM | AudioPCMU | AudioPCMA, Field(discriminator="type")]
"""The audio format of a primary WebSocket, both ways (WebRTC and SIP negotiate theirs)."""


class AudioOutput(WireModel):
    """The model's voice."""

    voice: Voice | None = None


class AudioConfig(WireModel):
    """Audio settings, fixed at startup: ``format`` only on a primary WebSocket."""

    format: AudioFormat | None = None
    output: AudioOutput | None = None


# -- delegation ------------------------------------------------------------------------------

ACKNOWLEDGEMENT_DELAY_MS = {"client": 0, "responses": 0, "decisions": 400}
"""A delegation's ``acknowledgement_delay_ms`` when none is given, by its kind (the API's)."""


class ClientDelegation(WireModel):
    """The client handles delegated tasks: each arrives as ``session.delegation.created`` and
    is answered with ``session.commentary.append`` (spoken) or ``session.thinking.append``
    (silent) carrying its ``delegation_id``."""

    type: Literal["client"] = "client"
    acknowledgement_delay_ms: int | None = None
    """How long to wait before the model acknowledges a delegation aloud (anything appended
    cancels every pending acknowledgement)."""


class ResponsesDelegation(WireModel):
    """A Responses backend the server runs handles delegated tasks; its stream arrives as
    ``response.event``s, and the client answers its function calls and MCP approvals."""

    type: Literal["responses"] = "responses"
    responses: ResponsesConfig
    acknowledgement_delay_ms: int | None = None


class DecisionsDelegation(WireModel):
    """The Decision API answers delegated tasks (``decision.event``)."""

    type: Literal["decisions"] = "decisions"
    decisions: DecisionsConfig
    acknowledgement_delay_ms: int | None = None


# Tagged apart from their types: a ``responses`` delegation has a ``responses`` field (see by_type).
_delegation_tag = by_type({k: f"delegation:{k}" for k in ("client", "responses", "decisions")})

Delegation = Annotated[
    Annotated[ClientDelegation, Tag("delegation:client")]
    | Annotated[ResponsesDelegation, Tag("delegation:responses")]
    | Annotated[DecisionsDelegation, Tag("delegation:decisions")],
    Discriminator(_delegation_tag),
]
"""Who handles the model's delegated tasks (``None``: the client)."""


class ResponsesDelegationUpdate(WireModel):
    """Changes to a ``responses`` delegation (the kind of delegation cannot change)."""

    type: Literal["responses"] = "responses"
    responses: ResponsesUpdate | None = None
    acknowledgement_delay_ms: int | None = None


class DecisionsDelegationUpdate(WireModel):
    """Changes to a ``decisions`` delegation."""

    type: Literal["decisions"] = "decisions"
    decisions: DecisionsUpdate | None = None
    acknowledgement_delay_ms: int | None = None


DelegationUpdate = Annotated[
    Annotated[ClientDelegation, Tag("delegation:client")]
    | Annotated[ResponsesDelegationUpdate, Tag("delegation:responses")]
    | Annotated[DecisionsDelegationUpdate, Tag("delegation:decisions")],
    Discriminator(_delegation_tag),
]
"""Changes to the delegation, of the kind it already is."""

# -- initial history -------------------------------------------------------------------------


class InitialText(WireModel):
    """The text of a developer or user message of the initial history."""

    type: Literal["input_text"] = "input_text"
    text: str


class InitialAssistantText(WireModel):
    """The text of an assistant message of the initial history."""

    type: Literal["text", "output_text"] | None = None
    text: str


class _InitialMessage(WireModel):
    type: Literal["message"] = "message"
    id: str | None = None
    status: Literal["incomplete", "completed"] | None = None


class InitialDeveloperMessage(_InitialMessage):
    """A developer message of the history a session starts with (one text part)."""

    role: Literal["developer"] = "developer"
    content: list[InitialText]


class InitialUserMessage(_InitialMessage):
    """A user message of the history a session starts with (one text part)."""

    role: Literal["user"] = "user"
    content: list[InitialText]


class InitialAssistantMessage(_InitialMessage):
    """An assistant message of the history a session starts with (one text part)."""

    role: Literal["assistant"] = "assistant"
    content: list[InitialAssistantText]


InitialItem = Annotated[
    InitialDeveloperMessage | InitialUserMessage | InitialAssistantMessage,
    Field(discriminator="role"),
]
"""A message of the text-only history a session starts with, discriminated by ``role``."""

# -- a browser's data channel ----------------------------------------------------------------


class ServerEventSelector(WireModel):
    """A server event a browser may receive: its ``type``, and for ``response.event`` the
    Responses event's type (``response_event``)."""

    type: str
    response_event: str | None = None


class DataChannelConfig(WireModel):
    """What an untrusted browser's data channel may send and receive (``"all"``, a list, or
    an empty list for nothing). Sidebands are not limited."""

    allowed_client_events: Literal["all"] | list[str] | None = None
    allowed_server_events: Literal["all"] | list[ServerEventSelector] | None = None


class ClientConfig(WireModel):
    """What a browser attached to a WebRTC session may do; fixed at startup."""

    data_channel: DataChannelConfig


class WakePolicy(WireModel):
    """Speech that resumes a paused WebRTC session (``session.resumed``)."""

    type: Literal["speech"] = "speech"
    vad_threshold: float | None = Field(default=None, ge=0.0, le=1.0)


# -- sessions --------------------------------------------------------------------------------


class SessionConfig(WireModel):
    """A Live session's startup configuration (``session.start`` on a primary WebSocket).

    Only the delegation and the triggers can change later (``session.update``).
    """

    model: LiveModel
    instructions: str | None = None
    """The voice model's own instructions (the Responses backend has its own)."""
    audio: AudioConfig | None = None
    client: ClientConfig | None = None
    delegation: Delegation | None = None
    input: list[InitialItem] | None = None
    """At most 128 messages of text history, one text part each."""
    triggers: list[DecisionTrigger] | None = None
    store: bool | None = None
    """Keep the session for forking and its recording."""
    safety_identifier: str | None = None


class WebRtcSessionConfig(SessionConfig):
    """The session of ``POST /v1/live/sessions`` (WebRTC): its audio format is negotiated,
    and speech can wake it from an idle pause."""

    idle_timeout_s: int | None = Field(default=None, ge=0)
    """Seconds without activity before inference pauses (``session.paused``)."""
    wake_policy: WakePolicy | None = None


class SipAudioConfig(WireModel):
    """A SIP call's audio settings: SIP negotiates the media format, so ``format`` (a
    primary WebSocket's) is refused here."""

    model_config = ConfigDict(extra="forbid")

    output: AudioOutput | None = None


class SipSessionConfig(SessionConfig):
    """The session that answers a SIP call (``POST /v1/live/sessions/{id}/accept``)."""

    type: Literal["live"] = "live"
    audio: SipAudioConfig | None = None  # type: ignore[assignment]  # (no format)


class SessionResource(SessionConfig):
    """A session as the server reports it: the configuration with the server's defaults, and
    its id (for sidebands, forks and recordings) and expiry. The server always gives all
    three; read leniently (a null ``expires_at`` or ``status``), the session still opens."""

    id: str
    expires_at: int | None = None
    status: Union[Literal["active"], str, None] = None
    """Always ``active``, even in ``session.closed``'s final snapshot."""


class SessionUpdateConfig(WireModel):
    """What ``session.update`` can change: the delegation's settings, and the triggers (a
    list replaces them; an empty list removes them)."""

    delegation: DelegationUpdate | None = None
    triggers: list[DecisionTrigger] | None = None


class ForkSessionConfig(WireModel):
    """Overrides for a fork of a stored session (``session.start`` on a fork's WebSocket, or
    ``POST .../fork``); empty, the stored configuration is used. The model, voice,
    instructions and conversation are the stored session's."""

    audio: AudioConfig | None = None
    """A WebSocket fork's audio format."""
    client: ClientConfig | None = None
    delegation: ResponsesDelegationUpdate | None = None
    store: bool | None = None


__all__ = [
    "ACKNOWLEDGEMENT_DELAY_MS",
    "AudioConfig",
    "AudioFormat",
    "AudioOutput",
    "AudioPCM",
    "AudioPCMA",
    "AudioPCMU",
    "BuiltInVoice",
    "ClientConfig",
    "ClientDelegation",
    "CustomVoice",
    "DataChannelConfig",
    "DecisionsDelegation",
    "DecisionsDelegationUpdate",
    "Delegation",
    "DelegationUpdate",
    "ForkSessionConfig",
    "InitialAssistantMessage",
    "InitialAssistantText",
    "InitialDeveloperMessage",
    "InitialItem",
    "InitialText",
    "InitialUserMessage",
    "LiveModel",
    "ResponsesDelegation",
    "ResponsesDelegationUpdate",
    "ServerEventSelector",
    "SessionConfig",
    "SessionResource",
    "SessionUpdateConfig",
    "SipAudioConfig",
    "SipSessionConfig",
    "Voice",
    "WakePolicy",
    "WebRtcSessionConfig",
]
