"""Regression review (regress2) of 45a229d/9c6141d. docs/live.md: "when two wait at once, the
response that goes on with a delegation for our request ... has that delegation's outputs
only, and the other's are asked for again once it ends". A *third* delegation's first
response (the user spoke again meanwhile) is "taken to have every output sent before it"
(``DelegatedWork.sees``: ``goes_on`` is False), so it takes delegation 2's output, left
owed by the response that went on with delegation 1, as answered. Nothing asks delegation 2
to go on: its backend response waits for ever (the stall 45a229d fixed for two).

And a busy refusal of our request after two new delegations' responses began: the first
of them was taken for its answer, and took every output; ``LiveCore._on_error`` passes the
*latest* response (``orchestrator.active``) to ``not_answering``, which then undoes nothing."""

from __future__ import annotations

import contextlib

import pytest

import rtagents

from .frames import busy, completed, created, delegated, snapshot
from .server import live_session, lookup
from .test_held import attached_core, both_waiting, go


@pytest.mark.anyio
async def test_a_third_delegations_response_leaves_the_second_owed() -> None:
    agent = rtagents.Agent(tools=[lookup])
    async with live_session(agent) as (server, _):
        ref = await server.both_waiting()
        goes_on = snapshot("resp_3", "in_progress")
        await server.stream("del_1", "response.created", ref, response=goes_on)  # del_1 only
        await server.delegate_calls("del_3", "resp_5", complete=False)  # the user spoke again
        await server.stream(
            "del_1", "response.completed", ref, response=snapshot("resp_3", "completed")
        )
        await server.stream("del_3", "response.completed", response=snapshot("resp_5", "completed"))
        with contextlib.suppress(TimeoutError):
            await server.expect("response.create", 2, within=3)
        asks = len(server.of("response.create"))
    assert asks == 2, (
        "delegation 2's output (call_b) was taken as answered by delegation 3's first "
        f"response: nothing asks delegation 2 to go on (response.create sent {asks} time(s))"
    )


def test_sans_io_third_delegation_first_response() -> None:
    core = attached_core()
    ask = both_waiting(core)
    core.receive_frame(created("resp_3", "del_1", ref=ask))  # goes on with del_1 (c1 only)
    core.receive_frame(delegated("del_3", rid="resp_5"))
    asks = go(core, core.receive_frame(created("resp_5", "del_3")))  # del_3's first
    asks += go(core, core.receive_frame(completed("resp_3", "del_1", ref=ask)))
    asks += go(core, core.receive_frame(completed("resp_5", "del_3")))
    assert len(asks) == 1, (
        f"c2 (del_2's) is never asked for again: asks {asks}, still owed "
        f"{core.orchestrator.batches.unanswered()}"
    )


def test_sans_io_busy_after_two_new_delegations_began() -> None:
    core = attached_core()
    ask = both_waiting(core)
    for n in (3, 4):  # two new delegations' responses begin before the server reads `ask`
        core.receive_frame(delegated(f"del_{n}", rid=f"resp_{n}"))
        core.receive_frame(created(f"resp_{n}", f"del_{n}"))
    asks = go(core, core.receive_frame(busy(ask)))
    asks += go(core, core.receive_frame(completed("resp_3", "del_3")))
    asks += go(core, core.receive_frame(completed("resp_4", "del_4")))
    assert asks, (
        "our request was refused as busy, yet c1 and c2 count as answered (by resp_3, taken "
        f"for its answer): nothing asks either delegation to go on (asks {asks}, owed "
        f"{core.orchestrator.batches.unanswered()})"
    )
