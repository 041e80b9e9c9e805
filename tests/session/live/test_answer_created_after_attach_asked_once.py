"""Regression review (regress2) of 45a229d/9c6141d (``Batches.sees``, ``DelegatedWork.sees``).

Two delegations wait for their outputs; one ``response.create`` (ref1) goes for both, and the
connection drops before any response is seen. The server read ref1: the response that goes
on with delegation 1 for it (resp_3, naming ref1) begins on the attached connection, where
our request asked again is refused as busy. ``Batches.named`` marks ref1's outputs seen by
resp_3 (resp_3 is not begun yet: ``sees`` says "all"), then the busy refusal
(``not_answering``) undoes it, delegation 1's output included, which resp_3 does have. Once
resp_3 ends, both are asked for (right: delegation 2 still waits); delegation 2's response
goes on with its own output only (``sees``), so delegation 1's, answered long ago, is asked
for once more: a ``response.create`` with no delegation waiting (the emulator starts a new
backend response for it: the model answers again). Before 45a229d the batch ended there."""

from __future__ import annotations

from .frames import busy, call_done, completed, created, delegated
from .test_held import attached_core, go


def test_no_request_after_both_delegations_went_on() -> None:
    core = attached_core()
    for n in (1, 2):  # two delegations under way, each making a call
        core.receive_frame(delegated(f"del_{n}", rid=f"resp_{n}"))
        core.receive_frame(created(f"resp_{n}", f"del_{n}"))
        core.receive_frame(call_done(f"c{n}", "fast", delegation_id=f"del_{n}"))
    for n in (1, 2):
        assert go(core, core.call_finished(f"c{n}", str(n))) == []
    assert go(core, core.receive_frame(completed("resp_1", "del_1"))) == []
    [ref1] = go(core, core.receive_frame(completed("resp_2", "del_2")))  # one, for both
    core.disconnected()  # the drop: nothing of ref1's answer seen yet
    go(core, core.replay())
    asked_again = go(core, core.resumed())
    # The server read ref1 before the drop: its response (delegation 1's) begins now.
    go(core, core.receive_frame(created("resp_3", "del_1", ref=ref1)))
    for ref in asked_again:
        go(core, core.receive_frame(busy(ref)))  # resp_3 runs
    [ref2] = go(core, core.receive_frame(completed("resp_3", "del_1", ref=ref1)))  # del_2 waits
    core.receive_frame(created("resp_4", "del_2", ref=ref2))  # the server goes on with del_2
    after = go(core, core.receive_frame(completed("resp_4", "del_2", ref=ref2)))
    assert after == [], (
        f"both delegations went on (resp_3 for c1, resp_4 for c2), yet response.create was "
        f"sent again: {after}, for {core.orchestrator.batches.unanswered()} (no delegation "
        "waits for it)"
    )
