"""GPT-Live, a server that never names our request (no ``client_event_id``, docs/live.md).
1d08ec4 makes any non-end event of a delegation "named by nothing after an end seen here"
begin a follow-up. But an event of the response that just ended for us still comes after
that end: an ``error`` in its stream ends it here, and its last items and its
``response.failed`` follow (test_cut_off_response_carried_on_phantom.py has the same with a
server that names the request, where nothing begins). Here that late event begins a phantom
response ``del_1#n``; the ``response.failed`` maps to the response ended already (ignored),
so the phantom never ends: the orchestrator holds it as active for ever, and no batch of the
session is asked for again (the next delegation's call is answered, its turn never comes)."""

from __future__ import annotations

from typing import Any

from rtagents.session.actions import StartCall, StartTimer

from .frames import busy, call_added, completed, created, snapshot, wrapped
from .test_held import answer_batch, attached_core, go


def test_a_late_unnamed_event_after_an_error_begins_nothing() -> None:
    core = attached_core()
    answer_batch(core, "del_1", "c1")  # resp_del_1's call answered: our request goes out
    core.receive_frame(created("resp_1b", "del_1"))  # its answer (no ref: none ever named)
    error = {"code": "server_error", "message": "the backend failed"}
    core.receive_frame(wrapped("del_1", "error", **error))  # resp_1b is over for us
    late = {"item_id": "msg_1", "output_index": 0, "content_index": 0, "text": "Sorry"}
    core.receive_frame(wrapped("del_1", "response.output_text.done", **late))
    failed = snapshot("resp_1b", "failed", error=error)
    core.receive_frame(wrapped("del_1", "response.failed", response=failed))
    assert core.orchestrator.active is None, (
        f"a response stays active for ever: {core.orchestrator.active!r}"
    )


def test_a_response_cut_off_and_carried_on_unnamed_does_not_stall_its_batch() -> None:
    """test_cut_off_response_carried_on_phantom.py's case, with a server that names nothing:
    the follow-up ``resp_1b``'s call ``c2`` is cut off by a drop (answered as such, its
    batch asked for, ``resp_1b`` over for us); the server carries ``resp_1b`` on, refuses our
    request as busy, then ends ``resp_1b``. The carried-on delta begins a phantom that never
    ends, and ``c2``'s batch is never asked for again: the delegated turn stalls."""
    core = attached_core()
    answer_batch(core, "del_1", "c1")
    core.receive_frame(created("resp_1b", "del_1"))
    core.receive_frame(call_added("c2", "fast", "del_1"))  # its arguments are cut off
    core.disconnected()
    go(core, core.replay())
    resumed = core.resumed()
    assert [(a.call_id, a.cut_off) for a in resumed if isinstance(a, StartCall)] == [("c2", True)]
    asks = go(core, resumed)
    asks += go(core, core.call_finished("c2", "disconnected: the call was cut off"))
    assert len(asks) == 1  # c2's batch asked for
    actions: list[Any] = []
    delta = {"item_id": "msg_1", "output_index": 1, "content_index": 0, "delta": "One"}
    actions += core.receive_frame(wrapped("del_1", "response.output_text.delta", **delta))
    actions += core.receive_frame(busy(asks[0]))  # resp_1b is under way on the server
    actions += core.receive_frame(completed("resp_1b", "del_1"))
    for timer in [a for a in actions if isinstance(a, StartTimer)]:
        actions += core.timer_fired(timer.key)
    assert len(go(core, actions)) == 1, (
        f"c2's batch was not asked for again (active: {core.orchestrator.active!r})"
    )
