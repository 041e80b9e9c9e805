"""How the orchestrator's decisions go on GPT-Live's wire: one function per decision that
becomes a client event, in one table (the Realtime API's is ``realtime_out``).

A delegated batch's outputs and approval answers are each a ``response.item.create``; the
batch's answer is one ``response.create``, sent once every call of the delegated response
has its output (the server refuses a partial batch: the orchestrator never asks before).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..protocol import live as lp
from .actions import Action, AskResponse, Emit, RequestFailed, Send, SendAnswer, SendOutput
from .events import ResponseRequested, SessionWarning


def _send_output(decision: SendOutput) -> list[Action]:
    item = lp.FunctionCallOutput(call_id=decision.call_id, output=decision.output)
    return [Send(lp.ResponseItemCreate(event_id=decision.ref, item=item))]


def _ask_response(decision: AskResponse) -> list[Action]:
    # Only a batch asks on GPT-Live: the app's own request raises before it gets here.
    create = lp.ResponseCreate(event_id=decision.ref)
    if decision.call_ids:
        return [Send(create), Emit(ResponseRequested(decision.call_ids))]
    return [Send(create)]


def _send_answer(decision: SendAnswer) -> list[Action]:
    item = lp.McpApprovalResponse(approval_request_id=decision.request_id, approve=decision.approve)
    if decision.reason:
        item.reason = decision.reason
    return [Send(lp.ResponseItemCreate(event_id=decision.ref, item=item))]


def _request_failed(decision: RequestFailed) -> list[Action]:
    warning = SessionWarning(f"response.create failed: {decision.message}", {"code": decision.code})
    return [Emit(warning)]


OUT: dict[type, Callable[[Any], list[Action]]] = {
    SendOutput: _send_output,
    AskResponse: _ask_response,
    SendAnswer: _send_answer,
    RequestFailed: _request_failed,
}
"""How each orchestrator decision goes on GPT-Live's wire; any other passes as it is."""
