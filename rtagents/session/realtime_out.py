"""How the orchestrator's decisions go on the Realtime wire: one function per decision that
becomes a client event, in one table (GPT-Live's adapter has its own)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import protocol as p
from .actions import (
    Action,
    AskResponse,
    CancelResponse,
    Emit,
    Encoded,
    RequestFailed,
    SayAside,
    Send,
    SendAnswer,
    SendNote,
    SendOutput,
)
from .events import FillerRequested, ProgressSpoken, ResponseRequested, SessionWarning
from .journal import Journal
from .journal_items import answer_item_id
from .playback import Playback

_ITEM_CREATE = "conversation.item.create"

ASIDE = "rtagents_aside"
"""The ``metadata`` key of our asides' out-of-band responses (its value: ``progress`` or
``filler``): how their ``response.created`` is known as ours."""


def _send_output(d: SendOutput) -> list[Action]:
    frame = p.encode_function_output(d.ref, d.item_id, d.call_id, d.output)
    return [Send(Encoded(frame, _ITEM_CREATE, d.ref, d.call_id, d.output, d.item_id))]


def _ask_response(decision: AskResponse) -> list[Action]:
    params, ref = decision.params, decision.ref
    create: p.ResponseCreate | Encoded = (
        p.ResponseCreate(event_id=ref, response=params)
        if isinstance(params, p.ResponseCreateParams)
        else Encoded(p.encode_response_create(ref), "response.create", ref)
    )
    if decision.call_ids:
        return [Send(create), Emit(ResponseRequested(decision.call_ids))]
    return [Send(create)]


def _send_answer(decision: SendAnswer) -> list[Action]:
    item = p.McpApprovalResponse(
        id=answer_item_id(decision.request_id),
        approval_request_id=decision.request_id,
        approve=decision.approve,
    )
    if decision.reason:
        item.reason = decision.reason
    return [Send(p.ConversationItemCreate(event_id=decision.ref, item=item))]


def _send_note(decision: SendNote) -> list[Action]:
    item: p.SystemMessage | p.UserMessage
    if decision.role == "user":
        content = [p.UserContent(type="input_text", text=decision.text)]
        item = p.UserMessage(id=decision.item_id, content=content)
    else:
        item = p.SystemMessage(
            id=decision.item_id, content=[p.SystemContent(type="input_text", text=decision.text)]
        )
    return [Send(p.ConversationItemCreate(event_id=decision.ref, item=item))]


def _say_aside(decision: SayAside) -> list[Action]:
    """An aside is an out-of-band response (``conversation: "none"``), spoken: it sees the
    conversation (to match its language and topic) but adds nothing to it, and has no tools
    (words only: a call made there would run a tool again, outside the conversation)."""
    params = p.ResponseCreateParams(
        conversation="none",
        instructions=decision.instructions,
        output_modalities=["audio"],
        metadata={ASIDE: decision.kind},
        tools=[],
    )
    news = (
        ProgressSpoken(decision.call_ids[0], decision.text or "")
        if decision.kind == "progress"
        else FillerRequested(decision.call_ids, decision.response_id)
    )
    return [Send(p.ResponseCreate(event_id=decision.ref, response=params)), Emit(news)]


def _cancel_response(decision: CancelResponse) -> list[Action]:
    return [Send(p.ResponseCancel(event_id=decision.ref, response_id=decision.response_id))]


def _request_failed(decision: RequestFailed) -> list[Action]:
    return [Emit(SessionWarning.response_refused(decision.message, decision.code))]


def journal_sent(journal: Journal, event: object, playback: Playback) -> None:
    """What the journal keeps of a client event about to go out: the item it creates (one
    we built as a frame written when the journal applies the write, after the send), or the
    cut of an answer a barge-in truncates (kept now: a drop may take the server's word)."""
    if type(event) is Encoded:
        if event.call_id is not None and event.output is not None:  # an output
            journal.output_sent(event.call_id, event.output, event.item_id)
    elif isinstance(event, p.ConversationItemCreate) and getattr(event.item, "id", None):
        journal.sent(event.item)
    elif isinstance(event, p.ConversationItemTruncate):
        heard = playback.heard_fraction(event.item_id, event.audio_end_ms)
        journal.truncated(event.item_id, heard)


OUT: dict[type, Callable[[Any], list[Action]]] = {
    SendOutput: _send_output,
    AskResponse: _ask_response,
    SendAnswer: _send_answer,
    RequestFailed: _request_failed,
    SayAside: _say_aside,
    CancelResponse: _cancel_response,
    SendNote: _send_note,
}
"""How each orchestrator decision goes on the Realtime wire; any other passes as it is."""
