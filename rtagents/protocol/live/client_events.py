"""The events a Live client sends: on a primary WebSocket, a sideband or a fork's WebSocket.

Every one may carry an ``event_id``; the server's reply or error names it as
``client_event_id``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag

from .._base import WireModel
from .items import DecisionItem, ResponseItem
from .session_config import ForkSessionConfig, SessionConfig, SessionUpdateConfig


class _ClientEvent(WireModel):
    event_id: str | None = None


NEW_SESSION_ONLY = frozenset(SessionConfig.model_fields) - frozenset(ForkSessionConfig.model_fields)
"""What a new session's configuration takes and a fork's never does (its model, instructions,
history, triggers, safety identifier: a fork's are the stored session's)."""


def _start_tag(session: Any) -> str:
    # A fork's config takes anything (unknown fields are kept), so trying the new session's
    # config first and falling back to it would read a malformed new session as a fork: the
    # fields a new session alone has tell them apart (a dict naming none of them is a fork's).
    if isinstance(session, ForkSessionConfig):
        return "start:fork"
    if isinstance(session, dict) and NEW_SESSION_ONLY.isdisjoint(session):
        return "start:fork"
    return "start:new"


class SessionStart(_ClientEvent):
    """Start the session (a primary WebSocket's first event; wait for ``session.started``).
    On a fork's WebSocket, ``session`` holds overrides only (``ForkSessionConfig``): a
    ``session`` naming none of ``NEW_SESSION_ONLY`` is read as one, any other must be a
    whole ``SessionConfig``. Never sent over WebRTC or a sideband: those sessions are
    started already."""

    type: Literal["session.start"] = "session.start"
    session: Annotated[
        Annotated[SessionConfig, Tag("start:new")]
        | Annotated[ForkSessionConfig, Tag("start:fork")],
        Discriminator(_start_tag),
    ]


class SessionUpdate(_ClientEvent):
    """Change the delegation's settings or the triggers (answered by ``session.updated``)."""

    type: Literal["session.update"] = "session.update"
    session: SessionUpdateConfig


class InputAudioAppend(_ClientEvent):
    """Audio in the session's format, base64, on a primary WebSocket (no reply)."""

    type: Literal["session.input_audio.append"] = "session.input_audio.append"
    audio: str


class InputAudioMute(_ClientEvent):
    """Send the model silence instead of the input (answered by ``session.input_audio.muted``)."""

    type: Literal["session.input_audio.mute"] = "session.input_audio.mute"


class InputAudioUnmute(_ClientEvent):
    """Undo ``session.input_audio.mute`` (answered by ``session.input_audio.unmuted``)."""

    type: Literal["session.input_audio.unmute"] = "session.input_audio.unmute"


class OutputAudioFixturePlay(_ClientEvent):
    """Play a recording (24 kHz mono PCM16, base64, up to 30 s) in place of the model's
    speech, input muted meanwhile; ``...fixture.playing`` then ``...fixture.played``."""

    type: Literal["session.output_audio.fixture.play"] = "session.output_audio.fixture.play"
    audio: str


NOTE_TOKENS = 500
"""What one instructions, thinking or commentary append may hold, at most (tokens): the
server refuses a longer one whole."""


def fit_note(text: str) -> str | None:
    """``text`` cut to fit an append (``None``: it fits as it is). With no tokenizer, it is
    counted so as to err short: a letter, digit or space of ASCII as a third of a token
    (English runs about four to one), other ASCII (the punctuation of JSON, a newline) as
    half of one, any other character as two (a CJK character is about one, an emoji two or
    three), up to all but 20 of ``NOTE_TOKENS`` (room for the mark of the cut)."""
    budget = (NOTE_TOKENS - 20) * 6  # in sixths of a token
    if len(text) * 12 <= budget:  # (every character at its most: it fits, uncounted)
        return None
    used = 0
    for at, char in enumerate(text):
        if char >= "\x80":
            used += 12
        else:
            used += 2 if char.isalnum() or char == " " else 3
        if used > budget:
            return text[:at].rstrip() + " [...]"
    return None


class _ContextAppend(_ClientEvent):
    content: str
    """At most ``NOTE_TOKENS`` tokens of plain text (see ``fit_note``)."""
    delegation_id: str | None
    """Required on the wire: the client delegation this answers, or ``None`` for the session
    in general (always ``None`` under a ``responses`` delegation)."""


class InstructionsAppend(_ContextAppend):
    """Add developer instructions to the conversation (``session.instructions.appended``)."""

    type: Literal["session.instructions.append"] = "session.instructions.append"


class ThinkingAppend(_ContextAppend):
    """Give the model silent context or progress (``session.thinking.appended``)."""

    type: Literal["session.thinking.append"] = "session.thinking.append"


class CommentaryAppend(_ContextAppend):
    """Give the model something to tell the user, such as a delegated task's result
    (``session.commentary.appended``)."""

    type: Literal["session.commentary.append"] = "session.commentary.append"


class DecisionCreate(_ClientEvent):
    """Evaluate the ``decisions`` delegation's questions now; ``event_id`` is required and
    never reused."""

    type: Literal["decision.create"] = "decision.create"
    event_id: str


class DecisionItemCreate(_ClientEvent):
    """Add an item to what decisions are made on (``decision.item.created``)."""

    type: Literal["decision.item.create"] = "decision.item.create"
    item: DecisionItem


class DecisionItemDelete(_ClientEvent):
    """Remove an item from what decisions are made on (``decision.item.deleted``)."""

    type: Literal["decision.item.delete"] = "decision.item.delete"
    item_id: str


class ResponseItemCreate(_ClientEvent):
    """Add an item to the Responses backend's conversation: a function call's output, an MCP
    approval, a message. Follow with ``response.create``."""

    type: Literal["response.item.create"] = "response.item.create"
    item: ResponseItem


class ResponseCreate(_ClientEvent):
    """Ask the Responses backend for a response, or let a delegated one waiting for tool
    results go on."""

    type: Literal["response.create"] = "response.create"


class SessionClose(_ClientEvent):
    """End the session; ``session.closed`` follows with the reason and final usage."""

    type: Literal["session.close"] = "session.close"


class TransportDtmfSend(_ClientEvent):
    """Send one DTMF key (``0``-``9``, ``A``-``D``, ``*``, ``#``) to a SIP call, over a
    sideband; ``transport.dtmf.sent`` confirms it."""

    type: Literal["transport.dtmf.send"] = "transport.dtmf.send"
    event: str


ClientEvent = Annotated[
    SessionStart
    | SessionUpdate
    | InputAudioAppend
    | InputAudioMute
    | InputAudioUnmute
    | OutputAudioFixturePlay
    | InstructionsAppend
    | ThinkingAppend
    | CommentaryAppend
    | DecisionCreate
    | DecisionItemCreate
    | DecisionItemDelete
    | ResponseItemCreate
    | ResponseCreate
    | SessionClose
    | TransportDtmfSend,
    Field(discriminator="type"),
]
"""Any Live client event, discriminated by ``type``."""

CLIENT_EVENT_TYPES: tuple[type[WireModel], ...] = (
    SessionStart,
    SessionUpdate,
    InputAudioAppend,
    InputAudioMute,
    InputAudioUnmute,
    OutputAudioFixturePlay,
    InstructionsAppend,
    ThinkingAppend,
    CommentaryAppend,
    DecisionCreate,
    DecisionItemCreate,
    DecisionItemDelete,
    ResponseItemCreate,
    ResponseCreate,
    SessionClose,
    TransportDtmfSend,
)
"""Every Live client event class."""


__all__ = [
    "CLIENT_EVENT_TYPES",
    "NEW_SESSION_ONLY",
    "NOTE_TOKENS",
    "ClientEvent",
    "CommentaryAppend",
    "DecisionCreate",
    "DecisionItemCreate",
    "DecisionItemDelete",
    "InputAudioAppend",
    "InputAudioMute",
    "InputAudioUnmute",
    "InstructionsAppend",
    "OutputAudioFixturePlay",
    "ResponseCreate",
    "ResponseItemCreate",
    "SessionClose",
    "SessionStart",
    "SessionUpdate",
    "ThinkingAppend",
    "TransportDtmfSend",
    "fit_note",
]
