"""What the emulator's GPT-Live server does with each client event.

Each handler takes the Live core and the event as a checked wire dict, and either changes the
state and emits events, or raises ``ClientEventError`` (an ``error`` event). A command that
is accepted without an event of its own (``session.input_audio.append``,
``response.item.create``) answers nothing, as on the real server.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from ..._latest import keep_latest
from ...errors import ProtocolError
from ...protocol import WireModel
from ...protocol import live as lp
from ..actions import Disconnect
from ..conversation import Conversation
from ..errors import ClientEventError, schema_error
from ..hosted_mcp import HostedMCP
from ..input_audio import InputAudio
from ..models import Output
from ..outbox import Outbox
from ..settings import ServerSettings
from ..usage import tokens
from ..vad import VadEvent
from . import session as config
from .backend import BackendRun
from .decisions import Decisions
from .speech import Voice


class LiveServer(Protocol):
    """The state and steps of ``core.LiveCore`` the handlers use (the core dispatches to
    them: they do not import it back)."""

    settings: ServerSettings
    created_at_s: float
    session: dict[str, Any]
    conversation: Conversation
    out: Outbox
    audio: InputAudio
    hosted: HostedMCP
    voice: Voice
    muted: bool
    appended: list[str]
    notes: dict[tuple[str, str], None]
    delegations: dict[str, str]
    backend: BackendRun | None
    waiting: list[BackendRun]
    ended: bool
    decider: Decisions

    def ack(self, kind: type[WireModel], **fields: Any) -> None: ...
    def timeline_ms(self) -> int: ...
    def usage(self) -> dict[str, Any]: ...
    def started(self) -> None: ...
    def configured(self) -> None: ...
    def heard(self, vad: VadEvent) -> None: ...
    def say(self, text: str, announce: Callable[[int, int], None] | None = None) -> None: ...
    def start_backend(
        self, delegation_id: str | None, given: list[Output] | None
    ) -> BackendRun: ...
    def decide(self, questions: list[dict[str, Any]], transcript: str | None = None) -> None: ...


# -- the session -----------------------------------------------------------------------------


def session_start(core: LiveServer, event: dict[str, Any]) -> None:
    if core.session:
        raise ClientEventError(
            "The session has already started: send session.update to change it.",
            code="session_already_started",
        )
    core.session = config.start(
        event["session"], created_at_s=core.created_at_s, max_session_s=core.settings.max_session_s
    )
    core.started()
    core.ack(lp.SessionStarted, session=config.public(core.session))


def session_update(core: LiveServer, event: dict[str, Any]) -> None:
    core.session = config.update(core.session, event["session"])
    core.configured()
    core.ack(lp.SessionUpdated, session=config.public(core.session))


def session_close(core: LiveServer, event: dict[str, Any]) -> None:
    core.ended = True
    session = config.public(core.session)
    core.ack(lp.SessionClosed, reason="close_requested", session=session, usage=core.usage())
    core.out.disconnect(Disconnect(1000, "session closed"))


# -- audio -----------------------------------------------------------------------------------


def input_audio_append(core: LiveServer, event: dict[str, Any]) -> None:
    # Muted, the model hears silence of the same length: the timeline goes on.
    for vad in core.audio.append(event["audio"], core.voice.format, silent=core.muted):
        core.heard(vad)


def input_audio_mute(core: LiveServer, event: dict[str, Any]) -> None:
    core.muted = True
    core.ack(lp.InputAudioMuted)


def input_audio_unmute(core: LiveServer, event: dict[str, Any]) -> None:
    core.muted = False
    core.ack(lp.InputAudioUnmuted)


# -- context the client appends --------------------------------------------------------------


def instructions_append(core: LiveServer, event: dict[str, Any]) -> None:
    _check_append(core, event)
    core.appended.append(event["content"])  # for the Live model and future delegations
    at = core.timeline_ms()
    core.ack(lp.InstructionsAppended, start_ms=at, end_ms=at)


def thinking_append(core: LiveServer, event: dict[str, Any]) -> None:
    _check_append(core, event)
    if _taken_before(core, event):
        return
    content = [{"type": "input_text", "text": event["content"]}]
    core.conversation.add({"type": "message", "role": "developer", "content": content})
    at = core.timeline_ms()
    core.ack(lp.ThinkingAppended, start_ms=at, end_ms=at)


def commentary_append(core: LiveServer, event: dict[str, Any]) -> None:
    """Commentary is spoken (as given: the emulator's model does not reword it). Its
    ``appended`` event comes as the model starts saying it, spanning what it will say."""
    _check_append(core, event)
    if _taken_before(core, event):
        return
    answering = {"client_event_id": event["event_id"]} if event.get("event_id") else {}

    def announce(start: int, end: int) -> None:
        core.out.emit(lp.CommentaryAppended, start_ms=start, end_ms=end, **answering)

    core.say(event["content"], announce)


def _taken_before(core: LiveServer, event: dict[str, Any]) -> bool:
    """Whether this note was taken already: a client sends a note again to the connection
    that attaches after a drop until it is acknowledged, and one taken before the drop (its
    acknowledgement still to come, or on its way) is taken once. Told by its ``event_id``
    and its words together: another client on the session (a call's sideband that another
    replica took over) numbers its events afresh, and its notes are its own."""
    event_id = event.get("event_id")
    if not isinstance(event_id, str) or not event_id:
        return False
    key = (event_id, str(event["content"]))
    if key in core.notes:
        return True
    keep_latest(core.notes, key, None, _NOTES_KEPT)
    return False


_NOTES_KEPT = 256  # far more than can be in flight across one drop


def _check_append(core: LiveServer, event: dict[str, Any]) -> None:
    """What the server refuses of an append: a content past its tokens (counted as the
    emulator counts every text), or a delegation it cannot be for."""
    if tokens(event["content"]) > lp.NOTE_TOKENS:
        raise ClientEventError(
            f"The content is limited to {lp.NOTE_TOKENS} tokens.",
            code="string_above_max_length",
            param="content",
        )
    _check_delegation(core, event.get("delegation_id"))


def _check_delegation(core: LiveServer, delegation_id: str | None) -> None:
    if delegation_id is None:
        return  # general context
    if core.session["delegation"]["type"] == "responses":
        raise ClientEventError(
            "A delegation_id is not accepted with Responses delegation.",
            code="invalid_value",
            param="delegation_id",
        )
    if core.delegations.get(delegation_id) != "client":
        raise ClientEventError(
            f"No delegation with id '{delegation_id}' in this session.",
            code="invalid_value",
            param="delegation_id",
        )


# -- the Responses backend -------------------------------------------------------------------


def response_item_create(core: LiveServer, event: dict[str, Any]) -> None:
    """An input item for the backend: a function call's output (to a call it made, once),
    an MCP approval, a message. Recorded; the next ``response.create`` sees it."""
    _needs_responses(core, "response.item.create")
    item = dict(event["item"])
    if item.get("type") == "function_call_output":
        call_id = str(item.get("call_id"))
        if not core.conversation.has_call(call_id):
            raise ClientEventError(
                f"No tool call found with call_id '{call_id}'.",
                code="invalid_value",
                param="item.call_id",
            )
        if _answered(core.conversation, call_id):
            raise ClientEventError(
                f"Tool call '{call_id}' already has an output.",
                code="invalid_value",
                param="item.call_id",
            )
    elif item.get("type") == "mcp_approval_response":
        request_id = str(item.get("approval_request_id"))
        if _answered(core.conversation, request_id, _APPROVAL):
            # (a copy a client sends again after an attach: one answer to a request)
            raise ClientEventError(
                f"Approval request '{request_id}' already has a response.",
                code="invalid_value",
                param="item.approval_request_id",
            )
        core.hosted.answer(item)
    core.conversation.add(item)


def response_create(core: LiveServer, event: dict[str, Any]) -> None:
    """The backend's next response: it continues the delegation whose calls were answered
    (every call of that response must have its output), or starts one of the client's own."""
    _needs_responses(core, "response.create")
    if core.backend is not None:
        raise ClientEventError(
            f"Conversation already has an active response in progress: {core.backend.id}. "
            "Wait until the response is finished before creating a new one.",
            code="conversation_already_has_active_response",
        )
    # The first delegated response whose calls all have their outputs, and its approval
    # requests their answers, goes on (each delegation's own); with some waiting and none
    # complete, the request is refused.
    conversation = core.conversation
    unanswered = [
        (
            [c for c in run.call_ids if not _answered(conversation, c)],
            [a for a in run.approval_ids if not _answered(conversation, a, _APPROVAL)],
        )
        for run in core.waiting
    ]
    ready = next((i for i, (calls, asks) in enumerate(unanswered) if not calls + asks), None)
    if ready is None and unanswered:
        calls, asks = unanswered[0]
        if not calls:
            raise ClientEventError(
                f"No approval response found for MCP approval request {', '.join(asks)}.",
                code="missing_approval_response",
            )
        named = "function call" if len(calls) == 1 else "function calls"
        raise ClientEventError(
            f"No tool output found for {named} {', '.join(calls)}.", code="missing_tool_output"
        )
    waiting = core.waiting.pop(ready) if ready is not None else None
    run = core.start_backend(waiting.delegation_id if waiting else None, None)
    run.requested_by = event.get("event_id")  # (before its first step: it names the request)


def _needs_responses(core: LiveServer, kind: str) -> None:
    delegates_to = core.session["delegation"]["type"]
    if delegates_to != "responses":
        raise ClientEventError(
            f"{kind} needs Responses delegation; this session delegates to '{delegates_to}'.",
            code="responses_delegation_required",
        )


_APPROVAL = "mcp_approval_response"


def _answered(conversation: Conversation, ref: str, kind: str = "function_call_output") -> bool:
    """Whether the conversation has an answer of ``kind`` to ``ref`` (a call's output, or
    an approval request's response)."""
    key = "call_id" if kind == "function_call_output" else "approval_request_id"
    return any(item.get("type") == kind and item.get(key) == ref for item in conversation.items)


# -- Decisions -------------------------------------------------------------------------------


def decision_create(core: LiveServer, event: dict[str, Any]) -> None:
    """Evaluate the ``decisions`` delegation's questions now, on what the user said last and
    the Decision items: a ``decision.event`` with no delegation or trigger."""
    settings = config.decisions(core.session)
    if settings is None:
        delegates_to = core.session["delegation"]["type"]
        raise ClientEventError(
            f"decision.create needs Decisions delegation; this session delegates to "
            f"'{delegates_to}'.",
            code="decisions_delegation_required",
        )
    core.decider.use_id(event["event_id"])
    core.decide(settings["questions"])


def decision_item_create(core: LiveServer, event: dict[str, Any]) -> None:
    core.ack(lp.DecisionItemCreated, item=core.decider.add_item(event["item"]))


def decision_item_delete(core: LiveServer, event: dict[str, Any]) -> None:
    core.decider.delete_item(event["item_id"])
    core.ack(lp.DecisionItemDeleted, item_id=event["item_id"])


# -- the rest --------------------------------------------------------------------------------


def unsupported(core: LiveServer, event: dict[str, Any]) -> None:
    raise ClientEventError(
        f"The emulator does not support '{event['type']}': it emulates no audio fixtures or SIP.",
        code="unsupported_event",
        param="type",
    )


def checked(raw: dict[str, Any]) -> dict[str, Any]:
    """The client event checked against its protocol model, as a wire dict; schema errors
    worded as the server words them."""
    try:
        event = lp.parse_live_client_event(raw)
    except ProtocolError as exc:
        raise schema_error(exc) from None
    data: dict[str, Any] = event.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return data


HANDLERS: dict[str, Callable[[LiveServer, dict[str, Any]], None]] = {
    "session.start": session_start,
    "session.update": session_update,
    "session.close": session_close,
    "session.input_audio.append": input_audio_append,
    "session.input_audio.mute": input_audio_mute,
    "session.input_audio.unmute": input_audio_unmute,
    "session.instructions.append": instructions_append,
    "session.thinking.append": thinking_append,
    "session.commentary.append": commentary_append,
    "response.item.create": response_item_create,
    "response.create": response_create,
    "session.output_audio.fixture.play": unsupported,
    "decision.create": decision_create,
    "decision.item.create": decision_item_create,
    "decision.item.delete": decision_item_delete,
    "transport.dtmf.send": unsupported,
}
"""Every Live client event type of a primary WebSocket, and its handler."""
