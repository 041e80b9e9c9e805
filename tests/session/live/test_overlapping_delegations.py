"""Our batch's ``response.create`` is in flight when the Live model starts a response of its
own (another delegation's), and the server refuses our request as busy. That response,
taken for the request's answer when it started, is not: the batch is asked for again at
its end. (It was counted answered, and the call's result never spoken.) Sans I/O, then over
a socket against the scripted Live server."""

from __future__ import annotations

from typing import Any

import pytest

import rtagents
from rtagents.session.actions import ToolTraits
from rtagents.session.live import LiveCore

from .frames import (
    BUSY,
    arguments_done,
    busy,
    call_added,
    call_done,
    completed,
    created,
    delegated,
    kinds,
    sent,
    warnings,
)
from .server import live_server


def refused_by_another_delegation() -> tuple[LiveCore, list[Any]]:
    """Delegation ``del_1``'s call is answered and its ``response.create`` goes; the model
    delegates something else (``del_2``), whose response starts, and our request is refused
    as busy; that response ends. The core, and what that last part led to."""
    core = LiveCore(lambda name, rid: ToolTraits())
    core.receive_frame(delegated("del_1", rid="resp_1"))
    core.receive_frame(created("resp_1", "del_1"))
    core.receive_frame(call_added("call_a", "fast", "del_1"))
    core.receive_frame(arguments_done("call_a", delegation_id="del_1"))
    core.receive_frame(call_done("call_a", "fast", delegation_id="del_1"))
    core.receive_frame(completed("resp_1", "del_1"))
    out = core.call_finished("call_a", "a")
    assert kinds(core, out) == ["response.item.create:function_call_output", "response.create"]
    ask = next(f["event_id"] for f in sent(core, out) if f["type"] == "response.create")
    # Its response is not ours: it names no request.
    later = core.receive_frame(delegated("del_2", rid="resp_2"))
    later += core.receive_frame(created("resp_2", "del_2"))
    later += core.receive_frame(busy(ask))  # our request came while resp_2 ran: refused
    later += core.receive_frame(completed("resp_2", "del_2"))
    return core, later


def test_a_busy_refusal_after_another_delegations_response_asks_again() -> None:
    core, later = refused_by_another_delegation()
    # Batch del_1 (call_a's output) was never continued: it must be asked for again.
    assert "response.create" in kinds(core, later)


@rtagents.tool
def lookup(order: int) -> str:
    """Look an order up."""
    return f"order {order} ships tomorrow"


@pytest.mark.anyio
async def test_end_to_end_the_batch_is_asked_again() -> None:
    agent = rtagents.Agent(name="desk", tools=[lookup])
    async with live_server() as server:
        async with rtagents.connect(agent, url=server.url, api="live"):
            await server.delegate_calls("del_1", "resp_1", ("call_a", "lookup", '{"order": 7}'))
            [ask] = await server.expect("response.create")
            # Meanwhile the model delegated something else: the backend is busy with it.
            await server.send(
                "session.delegation.created",
                offset_ms=900,
                delegation={"type": "delegation", "id": "del_2", "target": "responses"},
            )
            snap = {"id": "resp_2", "object": "response", "status": "in_progress", "output": []}
            await server.stream("del_2", "response.created", response=snap)
            error = {
                "type": "invalid_request_error",
                "code": BUSY,
                "message": "Conversation already has an active response in progress",
                "client_event_id": ask["event_id"],
            }
            await server.send("error", error=error)
            await server.stream(
                "del_2", "response.completed", response={**snap, "status": "completed"}
            )
            await server.expect("response.create", 2, within=2)
            assert len(server.of("response.create")) == 2, "call_a's output is never answered"


def test_the_batch_asked_for_again_is_answered_by_that_request_with_no_warning() -> None:
    """After the refusal, the outputs are the server's again: the response that answers the
    request asked again answers them (not "the server never confirmed the output")."""
    core, again = refused_by_another_delegation()
    ask2 = next(f["event_id"] for f in sent(core, again) if f["type"] == "response.create")
    later = core.receive_frame(created("resp_3", "del_1", ref=ask2))
    later += core.receive_frame(completed("resp_3", "del_1", ref=ask2))
    assert warnings(later) == []
    assert core.orchestrator.batches.unanswered() == []
