"""Regression review of 45a229d (``Batches.sees``: "a response that goes on for our request
has its own delegation's outputs only").

The rule reads a response's delegation as the delegation whose outputs it has. A request of
ours answered by a response in a delegation of its own (announced for it, as
test_begun_implicitly_names_request.py and docs/live.md's "a follow-up whose events name our
request" have GPT-Live do; ``response.create`` "requests a response from the Live session's
Responses backend") is then taken to have seen none of the outputs it answers: once it ends
they are owed again, and the session asks again. That answer is in a new delegation too, and
so on: one batch, a ``response.create`` after every answer, for ever. Before 45a229d the batch
was asked for once."""

from __future__ import annotations

import contextlib

import pytest

import rtagents

from .frames import completed, created, delegated, snapshot
from .server import live_session
from .test_held import answer_batch, attached_core, go


@pytest.mark.anyio
async def test_a_batch_answered_in_a_new_delegation_is_asked_for_once() -> None:
    @rtagents.tool
    async def lookup(order: int) -> str:
        """Look an order up."""
        return f"order {order} ships tomorrow"

    agent = rtagents.Agent(tools=[lookup])
    async with live_session(agent) as (server, _):
        await server.delegate_calls("del_1", "resp_1", ("call_a", "lookup", '{"order": 7}'))
        [ask] = await server.expect("response.create")
        # The backend answers our request in a delegation of its own, naming it.
        delegation = {
            "type": "delegation",
            "id": "del_2",
            "target": "responses",
            "response_id": "resp_2",
        }
        await server.send("session.delegation.created", offset_ms=900, delegation=delegation)
        for kind, status in (
            ("response.created", "in_progress"),
            ("response.completed", "completed"),
        ):
            event = {
                "type": kind,
                "sequence_number": 1,
                "response": snapshot("resp_2", status),
            }
            await server.send(
                "response.event",
                delegation_id="del_2",
                client_event_id=ask["event_id"],
                event=event,
            )
        with contextlib.suppress(TimeoutError):
            await server.expect("response.create", 2, within=3)
        asks = len(server.of("response.create"))
    assert asks == 1, (
        f"the batch (call_a) was answered by resp_2, which names our request, and was asked "
        f"for again: response.create sent {asks} times"
    )


def test_sans_io_every_answer_in_a_new_delegation_asks_again() -> None:
    core = attached_core()
    ref = answer_batch(core, "del_1", "call_a")
    asked = []
    for n in range(2, 5):  # each answer to our latest request comes in a delegation of its own
        core.receive_frame(delegated(f"del_{n}", rid=f"resp_{n}"))
        core.receive_frame(created(f"resp_{n}", f"del_{n}", ref=ref))
        again = go(core, core.receive_frame(completed(f"resp_{n}", f"del_{n}", ref=ref)))
        asked += again
        if not again:
            break
        ref = again[0]
    assert asked == [], f"one batch, asked for again after each answer: {asked}"
