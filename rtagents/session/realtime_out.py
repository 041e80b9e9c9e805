"""How the orchestrator's decisions go on the Realtime wire: one function per decision that
becomes a client event, in one table (GPT-Live's adapter has its own)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import protocol as p
from .actions import Action, AskResponse, Emit, RequestFailed, Send, SendAnswer, SendOutput
from .events import ResponseRequested, SessionWarning


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
        id=f"mcpr_{decision.request_id}",
        approval_request_id=decision.request_id,
        approve=decision.approve,
    )
    if decision.reason:
        item.reason = decision.reason
    return [Send(p.ConversationItemCreate(event_id=decision.ref, item=item))]


def _request_failed(decision: RequestFailed) -> list[Action]:
    warning = SessionWarning(f"response.create failed: {decision.message}", {"code": decision.code})
    return [Emit(warning)]


OUT: dict[type, Callable[[Any], list[Action]]] = {
    SendOutput: _send_output,
    AskResponse: _ask_response,
    SendAnswer: _send_answer,
    RequestFailed: _request_failed,
}
"""How each orchestrator decision goes on the Realtime wire; any other passes as it is."""
