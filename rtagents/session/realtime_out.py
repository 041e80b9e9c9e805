"""How the orchestrator's decisions go on the Realtime wire: one function per decision that
becomes a client event, in one table (GPT-Live's adapter has its own)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import protocol as p
from .actions import (
    Action,
    AskResponse,
    CancelAside,
    Emit,
    RequestFailed,
    SayAside,
    Send,
    SendAnswer,
    SendNote,
    SendOutput,
)
from .events import FillerRequested, ProgressSpoken, ResponseRequested, SessionWarning
from .journal_items import answer_item_id

ASIDE = "rtagents_aside"
"""The ``metadata`` key of our asides' out-of-band responses (its value: ``progress`` or
``filler``): how their ``response.created`` is known as ours."""


def _send_output(decision: SendOutput) -> list[Action]:
    item = p.FunctionCallOutput(
        id=decision.item_id, call_id=decision.call_id, output=decision.output
    )
    return [Send(p.ConversationItemCreate(event_id=decision.ref, item=item))]


def _ask_response(decision: AskResponse) -> list[Action]:
    params = decision.params
    create = (
        p.ResponseCreate(event_id=decision.ref, response=params)
        if isinstance(params, p.ResponseCreateParams)
        else p.ResponseCreate(event_id=decision.ref)
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
    conversation (to match its language and topic) but adds nothing to it."""
    params = p.ResponseCreateParams(
        conversation="none",
        instructions=decision.instructions,
        output_modalities=["audio"],
        metadata={ASIDE: decision.kind},
    )
    news = (
        ProgressSpoken(decision.call_ids[0], decision.text or "")
        if decision.kind == "progress"
        else FillerRequested(decision.call_ids, decision.response_id)
    )
    return [Send(p.ResponseCreate(event_id=decision.ref, response=params)), Emit(news)]


def _cancel_aside(decision: CancelAside) -> list[Action]:
    return [Send(p.ResponseCancel(event_id=decision.ref, response_id=decision.response_id))]


def _request_failed(decision: RequestFailed) -> list[Action]:
    warning = SessionWarning(f"response.create failed: {decision.message}", {"code": decision.code})
    return [Emit(warning)]


OUT: dict[type, Callable[[Any], list[Action]]] = {
    SendOutput: _send_output,
    AskResponse: _ask_response,
    SendAnswer: _send_answer,
    RequestFailed: _request_failed,
    SayAside: _say_aside,
    CancelAside: _cancel_aside,
    SendNote: _send_note,
}
"""How each orchestrator decision goes on the Realtime wire; any other passes as it is."""
