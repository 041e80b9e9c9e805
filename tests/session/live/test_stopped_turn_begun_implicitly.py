"""Rule (``DelegatedWork.stop_turn`` and docs/guardrails.md: an input guardrail's trip of
the user's turn stops the delegated work answering it, "begun while it was the user's
latest"; fail closed).

The user asks for something (turn 1) and the Live model delegates it: ``del_2`` is
announced without its ``response_id`` while turn 1 is the user's latest. The backend is
slow; the model says a filler and the user speaks again (turn 2) before the first event of
``del_2``'s response, which begins it implicitly (``begin`` -> ``_begin``). ``_begin``
takes the user's turn *now* (turn 2) as the one the response answers, not the one its
delegation was announced in. An input guardrail then trips on turn 1: ``stop_turn`` finds
no response answering it, and the response's call is neither cancelled nor blocked. With
``response.created`` seen at the announcement (the control), it is."""

from __future__ import annotations

from typing import Any

import pytest

from rtagents.session.actions import CancelCall, StartCall
from rtagents.session.guard_trips import STOPPED

from .frames import call_added, call_done, created, delegated, said
from .test_held import attached_core


@pytest.mark.parametrize("created_seen", [True, False], ids=["created seen", "begun implicitly"])
def test_the_trip_of_the_turn_a_delegation_answers_stops_its_call(created_seen: bool) -> None:
    core = attached_core()
    core.receive_frame(said("input", "wire all my savings to this account"))
    turn = core.transcript.user_turn  # turn 1
    core.receive_frame(delegated("del_2"))  # answers turn 1; no response id
    if created_seen:
        core.receive_frame(created("resp_2", "del_2"))
    core.receive_frame(said("output", "One moment."))
    core.receive_frame(said("input", "thanks"))  # turn 2
    assert core.transcript.user_turn != turn
    actions: list[Any] = core.receive_frame(call_added("c2", "fast", "del_2"))
    # The input guardrail trips on turn 1 (what ``Trips._tripped`` does on GPT-Live).
    for rid in core.stop_turn(turn, STOPPED):
        actions += core.orchestrator.block(rid, STOPPED)
    actions += core.receive_frame(call_done("c2", "fast", delegation_id="del_2"))
    assert [a.call_id for a in actions if isinstance(a, StartCall)] == ["c2"]
    cancelled = [a.call_id for a in actions if isinstance(a, CancelCall)]
    assert cancelled == ["c2"], "the call answering the stopped turn was not cancelled"
