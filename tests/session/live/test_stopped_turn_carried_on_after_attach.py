"""Rule (DelegatedWork.stop_turn, docs/guardrails.md: an input guardrail's trip stops the
work answering the user's turn: "one still open is blocked, so are the calls it announces
later"; fail closed; docs/live.md: "a response the attached connection carries on keeps its
calls").

An input guardrail stops the user's turn while the delegated response answering it
(``resp_2``) is under way; the trip blocks it (``stop_turn``, then ``Orchestrator.block``,
as ``guard_trips`` does). The connection drops and the session attaches again; the server
carries ``resp_2`` on and it announces another call, ``c3``. ``forget`` cleared ``_open`` and
``Batches.disconnected`` cleared ``blocked``, and nothing restores the block for a response
carried on (only ``cut_off``, for a call cut by the drop, does): ``c3`` starts and runs, its
output asks for a response, as if no guardrail had tripped. The same for a trip that comes
after the attach (``stop_turn`` blocks only responses in ``_open``; the orchestrator's block
only the active one). Without the drop (the control) ``c3`` is cancelled as it starts."""

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


@pytest.mark.parametrize("when", ["no drop", "trip, then drop", "drop, then trip"])
def test_a_call_announced_after_the_trip_is_cancelled(when: str) -> None:
    core = attached_core()
    core.receive_frame(said("input", "please transfer all my savings"))
    turn = core.transcript.user_turn
    core.receive_frame(delegated("del_2", rid="resp_2"))
    core.receive_frame(created("resp_2", "del_2"))
    if when == "trip, then drop":
        trip(core, turn)
    if when != "no drop":
        core.disconnected()
        go(core, core.replay())
        go(core, core.resumed())
    if when == "drop, then trip":
        assert trip(core, turn) == []  # (no call of it yet)
    if when == "no drop":
        trip(core, turn)
    # resp_2 goes on (on the attached connection): it announces a call.
    actions: list[Any] = core.receive_frame(call_added("c3", "fast", "del_2"))
    actions += core.receive_frame(call_done("c3", "fast", delegation_id="del_2"))
    assert [a.call_id for a in actions if isinstance(a, StartCall)] == ["c3"]
    cancelled = [a.call_id for a in actions if isinstance(a, CancelCall)]
    assert cancelled == ["c3"], f"{when}: the call of a stopped turn's answer was not cancelled"
