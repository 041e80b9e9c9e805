"""What the emulator's server does with each client event, as the real server does it.

Each handler takes the server core and the event as its protocol model, and either changes
the state and emits events, or raises ``ClientEventError`` (an ``error`` event) worded as
the real server words it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from .. import protocol as p
from ..errors import ProtocolError
from . import audio
from .config import (
    apply_update,
    check_function_tools,
    check_metadata,
    check_modalities,
    check_voice,
    without_nulls,
)
from .conversation import Conversation, check_item, check_own_keys, full_item, public_item
from .errors import ClientEventError, schema_error
from .hosted_mcp import HostedMCP
from .input_audio import Committed, InputAudio
from .outbox import Outbox, Steps
from .responses import ResponseRun
from .settings import ServerSettings
from .vad import VadEvent


class ServerCore(Protocol):
    """The state and steps of ``core.ServerCore`` the handlers use (the core dispatches to
    them: they do not import it back)."""

    settings: ServerSettings
    session: dict[str, Any]
    conversation: Conversation
    audio: InputAudio
    out: Outbox
    hosted: HostedMCP
    active: ResponseRun | None
    responses: list[ResponseRun]
    last_response_id: str | None

    def public_session(self) -> dict[str, Any]: ...
    def run_jobs(self, jobs: list[Steps[None]]) -> None: ...
    def input_format(self) -> str: ...
    def turn_detected(self, vad: VadEvent) -> None: ...
    def add_user_audio(self, committed: Committed, *, respond: bool) -> None: ...
    def start_response(self, params: dict[str, Any]) -> ResponseRun: ...

    def announce(self, run: ResponseRun) -> None: ...
    def cancel_response(self, run: ResponseRun, reason: str) -> None: ...


def _wire(model: Any) -> dict[str, Any]:
    data: dict[str, Any] = model.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return data


# -- session -------------------------------------------------------------------------------


def session_update(core: ServerCore, event: p.SessionUpdate) -> None:
    core.session = apply_update(
        core.session, _wire(event.session), audio_sent=core.conversation.audio_sent
    )
    core.audio.configure(core.session)
    core.out.emit(p.SessionUpdated, session=core.public_session())
    core.run_jobs(core.hosted.configure(core.session.get("tools", [])))


# -- input audio ---------------------------------------------------------------------------


def input_audio_buffer_append(core: ServerCore, event: p.InputAudioBufferAppend) -> None:
    for vad in core.audio.append(event.audio, core.input_format()):
        core.turn_detected(vad)


def input_audio_buffer_commit(core: ServerCore, event: p.InputAudioBufferCommit) -> None:
    core.add_user_audio(core.audio.commit(core.session), respond=False)


def input_audio_buffer_clear(core: ServerCore, event: p.InputAudioBufferClear) -> None:
    core.audio.clear()


def output_audio_buffer_clear(core: ServerCore, event: p.OutputAudioBufferClear) -> None:
    if not core.settings.webrtc:
        raise ClientEventError(
            "output_audio_buffer.clear is only supported for WebRTC and SIP sessions; "
            "over a websocket, cancel the response and truncate the item instead.",
            code="invalid_value",
            param="type",
        )
    last = core.active or next(iter(core.responses), None)
    response_id = last.id if last else (core.last_response_id or "")
    core.out.emit(p.OutputAudioBufferCleared, response_id=response_id)


# -- conversation --------------------------------------------------------------------------

ITEM_ID_CHARS = 32
"""The longest id a client's item may have."""


def conversation_item_create(core: ServerCore, event: p.ConversationItemCreate) -> None:
    item = _wire(event.item)
    kind = item.get("type")
    check_own_keys(item, "item")
    item_id = item.get("id")
    if isinstance(item_id, str) and len(item_id) > ITEM_ID_CHARS:  # (as the API refuses it)
        raise ClientEventError(
            f"Invalid 'item.id': string too long. Expected a string with maximum length "
            f"{ITEM_ID_CHARS}, but got a string with length {len(item_id)} instead.",
            code="string_above_max_length",
            param="item.id",
        )
    if isinstance(event.item, p.UnknownItem):  # (an item_reference lives in response.input)
        check_item(item, "item", references=False)
    if kind == "message" and item.get("role") == "assistant":
        for index, part in enumerate(item.get("content") or []):
            if part.get("type") in ("output_audio", "audio"):
                raise ClientEventError(
                    "Assistant messages cannot contain audio; use output_text.",
                    code="invalid_value",
                    param=f"item.content[{index}].type",
                )
    if kind == "function_call_output" and not core.conversation.has_call(item["call_id"]):
        raise ClientEventError(
            f"No tool call found with call_id '{item['call_id']}'.",
            code="invalid_value",
            param="item.call_id",
        )
    if kind in ("message", "function_call", "function_call_output"):
        # Only these carry ``object`` and ``status`` on the real server.
        item.setdefault("object", "realtime.item")
        item.setdefault("status", "completed")
    previous = core.conversation.add(item, event.previous_item_id)
    # Only once the item is in (an item refused, a duplicate id say, changes nothing):
    if kind == "mcp_approval_response":
        core.hosted.answer(item)
    elif kind == "mcp_approval_request":
        core.hosted.asked(item)  # given back by a client that reconnected
    public = public_item(item)
    core.out.emit(p.ConversationItemAdded, previous_item_id=previous, item=public)
    core.out.emit(p.ConversationItemDone, previous_item_id=previous, item=public)


def conversation_item_delete(core: ServerCore, event: p.ConversationItemDelete) -> None:
    core.conversation.delete(event.item_id)
    core.out.emit(p.ConversationItemDeleted, item_id=event.item_id)


def conversation_item_retrieve(core: ServerCore, event: p.ConversationItemRetrieve) -> None:
    item = core.conversation.get(event.item_id)
    core.out.emit(p.ConversationItemRetrieved, item=full_item(item))


def conversation_item_truncate(core: ServerCore, event: p.ConversationItemTruncate) -> None:
    """Cut an assistant message's audio where the user stopped hearing it. The item may
    still be streaming: clients truncate as soon as the user barges in."""
    item = core.conversation.get(event.item_id)
    if item.get("type") != "message" or item.get("role") != "assistant":
        raise ClientEventError(
            "Only assistant messages can be truncated.", code="invalid_value", param="item_id"
        )
    index = event.content_index
    content = item.get("content") or []
    if index >= len(content):
        raise ClientEventError(
            f"Invalid content_index: {index}. The item has {len(content)} content parts.",
            code="invalid_value",
            param="content_index",
        )
    if content[index].get("type") != "output_audio":
        raise ClientEventError(
            f"Content of type '{content[index].get('type')}' cannot be truncated; only "
            "audio content can.",
            code="unsupported_content_type",
            param="content_index",
        )
    pcm: bytearray = item["_pcm"]
    fmt = item.get("_audio_format", "audio/pcm")
    length_ms = audio.duration_ms(len(pcm), fmt)
    if event.audio_end_ms > length_ms:
        raise ClientEventError(
            f"Audio content of {length_ms}ms is already shorter than {event.audio_end_ms}ms",
            code="invalid_value",
            param="audio_end_ms",
        )
    del pcm[event.audio_end_ms * audio.bytes_per_ms(fmt) :]
    content[index]["transcript"] = ""  # the unheard text leaves the context
    item["_truncated"] = True
    core.out.emit(
        p.ConversationItemTruncated,
        item_id=item["id"],
        content_index=index,
        audio_end_ms=event.audio_end_ms,
    )


# -- responses -----------------------------------------------------------------------------


def response_create(core: ServerCore, event: p.ResponseCreate) -> None:
    if core.session["type"] != "realtime":
        raise ClientEventError(
            "A transcription session makes no responses: it transcribes input audio.",
            code="invalid_request_error",
            param="type",
        )
    params = without_nulls(_wire(event.response)) if event.response is not None else {}
    check_modalities(params.get("output_modalities"), "response.output_modalities")
    voice = params.get("audio", {}).get("output", {}).get("voice")
    check_voice(voice, core.session, core.conversation.audio_sent, "response.audio.output.voice")
    check_metadata(params.get("metadata"), "response.metadata")
    check_function_tools(params.get("tools"), "response.tools")
    core.announce(core.start_response(params))


def response_cancel(core: ServerCore, event: p.ResponseCancel) -> None:
    wanted = event.response_id
    run = next((r for r in core.responses if r.id == wanted), None) if wanted else core.active
    if run is None:
        raise ClientEventError(
            "Cancellation failed: no active response found.", code="response_cancel_not_active"
        )
    core.cancel_response(run, "client_cancelled")


def typed(raw: dict[str, Any]) -> Any:
    """The client event as its protocol model; schema errors worded as the server words them."""
    try:
        return p.parse_client_event(raw)
    except ProtocolError as exc:
        raise schema_error(exc) from None


HANDLERS: dict[str, Callable[[ServerCore, Any], None]] = {
    "session.update": session_update,
    "input_audio_buffer.append": input_audio_buffer_append,
    "input_audio_buffer.commit": input_audio_buffer_commit,
    "input_audio_buffer.clear": input_audio_buffer_clear,
    "output_audio_buffer.clear": output_audio_buffer_clear,
    "conversation.item.create": conversation_item_create,
    "conversation.item.delete": conversation_item_delete,
    "conversation.item.retrieve": conversation_item_retrieve,
    "conversation.item.truncate": conversation_item_truncate,
    "response.create": response_create,
    "response.cancel": response_cancel,
}
"""Every client event type, and its handler."""
