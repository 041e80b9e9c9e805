"""Rule (fail closed; docs/guardrails.md: "An input trip stops the delegated work that
answers the turn it read: ... the delegations announced while it was the user's latest are
its answer (each of their backend responses ...). Their calls ... are cancelled, so are
those they ... announce (one carried on after a reconnect too)").

The user asks for something (turn 1) and the Live model delegates it: ``del_2`` is
announced *with* its ``response_id`` (``resp_2``, as the emulator always does). The
connection drops before ``resp_2``'s ``response.created``; the session attaches again and
the server carries ``resp_2`` on (the case ``test_announced_response_carried_on_after_attach``
sets up). ``DelegatedWork.begin`` begins a response implicitly only for a delegation
announced *without* an id (or a follow-up): ``resp_2`` is never begun here, so it is never
recorded as answering turn 1 (``_turns``), never open, never carried. An input guardrail
then trips on turn 1 (or tripped while the connection was down): ``stop_turn`` finds no
response answering it, and the call ``resp_2`` announces runs, its output asking the
backend to go on with the stopped turn's work. With ``response.created`` seen before the
drop (the control) the call is cancelled."""

from __future__ import annotations

from typing import Any

import pytest

from rtagents.session.actions import CancelCall, StartCall
from rtagents.session.guard_trips import STOPPED
from rtagents.session.live import LiveCore

from .frames import call_added, call_done, created, delegated, said
from .test_held import attached_core, go


def trip(core: LiveCore, turn: str) -> list[Any]:
    """What ``Trips._tripped`` does on GPT-Live for an input trip of ``turn``."""
    cancels: list[Any] = []
    for rid in core.stop_turn(turn, STOPPED):
        cancels += core.orchestrator.block(rid, STOPPED)
    return cancels


@pytest.mark.parametrize("when", ["trip while down", "trip after attach"])
@pytest.mark.parametrize("created_seen", [True, False], ids=["created seen", "created lost"])
def test_a_call_of_the_stopped_turns_answer_is_cancelled(created_seen: bool, when: str) -> None:
    core = attached_core()
    core.receive_frame(said("input", "wire all my savings to this account"))
    turn = core.transcript.user_turn
    core.receive_frame(delegated("del_2", rid="resp_2"))  # answers turn 1
    if created_seen:
        core.receive_frame(created("resp_2", "del_2"))
    core.disconnected()  # (before resp_2's response.created, when it is lost)
    if when == "trip while down":
        trip(core, turn)
    go(core, core.replay())
    go(core, core.resumed())
    if when == "trip after attach":
        trip(core, turn)
    # The server carries resp_2 on: it announces a call.
    actions: list[Any] = core.receive_frame(call_added("c3", "fast", "del_2"))
    actions += core.receive_frame(call_done("c3", "fast", delegation_id="del_2"))
    assert [a.call_id for a in actions if isinstance(a, StartCall)] == ["c3"]
    cancelled = [a.call_id for a in actions if isinstance(a, CancelCall)]
    assert cancelled == ["c3"], "the call of the stopped turn's answer was not cancelled"
