"""Regression review (regress3) of 806c0a9 (``LiveCore._on_response_event`` reads a request
named after a drop, ``Batches.named``, *after* the event).

Our request is answered: the response that goes on with the delegation (resp_3, naming it)
begins, and the connection drops while it streams. On the attached connection our request
asked again is refused (resp_3 still runs), and resp_3's next event is its end, naming the
request. The end is read first: nothing counts as seen by resp_3 (the drop owed it again),
so its end asks for the output once more (a third ``response.create``, with no delegation
waiting: the server starts a new backend response, and the model answers twice); then
``named`` marks the output seen by resp_3, which has ended: it stays "unanswered" for the
rest of the session (``Batches.unanswered``), and each later drop owes it again. At 9c6141d
(``named`` before the event) nothing more was asked."""

from __future__ import annotations

from .frames import busy, completed, created
from .test_held import answer_batch, attached_core, go


def test_an_answer_whose_end_is_its_first_event_after_a_drop_is_not_asked_again() -> None:
    core = attached_core()
    ref = answer_batch(core, "del_1", "call_a")
    core.receive_frame(created("resp_3", "del_1", ref=ref))  # goes on with del_1
    core.disconnected()  # the drop, while resp_3 streams; the session attaches again
    go(core, core.replay())
    for again in go(core, core.resumed()):
        assert go(core, core.receive_frame(busy(again))) == []  # resp_3 runs there
    after = go(core, core.receive_frame(completed("resp_3", "del_1", ref=ref)))
    unanswered = core.orchestrator.batches.unanswered()
    assert (after, unanswered) == ([], []), (
        f"resp_3 answered call_a (its end names our request), yet its end asked again: "
        f"{after}, and call_a is left unanswered: {unanswered}"
    )
    core.disconnected()  # a later drop owes nothing
    go(core, core.replay())
    assert go(core, core.resumed()) == []
