"""GPT-Live runs two delegations' responses at once; the orchestrator follows one. A response
seen begun whose end comes while our request is in flight (the orchestrator's one active
response being another delegation's, ended before it) was taken for a response never seen
begun that answers the request, and its end asked once more: a second ``response.create``
for one waiting delegation (refused as busy, or run with nothing waiting). A response seen
begun is never taken so (``Batches.over``). (Found by a review of ``7f54016``.)"""

from __future__ import annotations

from .frames import call_done, completed, created, delegated
from .test_held import both_waiting, go, named_server


def test_an_earlier_responses_end_does_not_ask_again() -> None:
    core = named_server()  # the server names our requests
    ask = both_waiting(core)
    core.receive_frame(delegated("del_3", rid="resp_5"))
    go(core, core.receive_frame(created("resp_5", "del_3")))
    go(core, core.receive_frame(created("resp_3", "del_1", ref=ask)))
    [again] = go(core, core.receive_frame(completed("resp_3", "del_1", ref=ask)))  # for c2
    extra = go(core, core.receive_frame(completed("resp_5", "del_3")))
    assert extra == [], (
        f"c2 is asked for by {again}, still unanswered, and resp_5 (seen begun before it) "
        f"ending asked for it again: {extra} (a second response.create for one waiting "
        "delegation: refused as busy, or, read after its answer, one with none waiting)"
    )


def test_one_waiting_delegation_is_asked_once_while_another_runs() -> None:
    """The same with one delegation: its continuation makes a call, and a response of the
    user's next turn, begun before, ends while the request for that call is in flight."""
    from .test_held import answer_batch

    core = named_server()
    ref1 = answer_batch(core, "del_1", "call_a")
    core.receive_frame(delegated("del_3", rid="resp_5"))  # the user spoke again
    go(core, core.receive_frame(created("resp_5", "del_3")))
    core.receive_frame(created("resp_3", "del_1", ref=ref1))  # goes on with del_1
    core.receive_frame(call_done("c3", "fast", delegation_id="del_1"))
    assert go(core, core.call_finished("c3", "3")) == []
    [ref2] = go(core, core.receive_frame(completed("resp_3", "del_1", ref=ref1)))
    extra = go(core, core.receive_frame(completed("resp_5", "del_3")))
    assert extra == [], f"c3 is asked for by {ref2}; resp_5's end asked again: {extra}"
