"""Rule (DESIGN: one ``response.create`` per batch, asked once the response that made the
calls is done; a session goes on after a drop; docs/live.md: "a response the attached
connection carries on keeps its calls", and a follow-up "whose events name our request
after the delegation's last response ended" begins a response of its own).

Delegation ``del_1``'s follow-up ``resp_1b`` (started by our request ``ask``, so each of its
events names ``ask``) announces call ``c2``, and the connection drops before ``c2``'s
arguments. After the attach, ``cut_off`` answers ``c2`` as cut off and marks ``resp_1b``
ended *for us* (``_ended``), and ``c2``'s batch is asked for. The server carries ``resp_1b``
on: its next event names ``ask``, and ``DelegatedWork.begin`` takes it for a new follow-up
(``ref`` given, its delegation's latest response in ``_ended``): a phantom response
``del_1#n`` begins, and the orchestrator holds it as the active one. ``resp_1b``'s real end
maps to ``resp_1b`` (already ended: ignored), so the phantom never ends: the orchestrator's
``active`` sticks, the busy refusal of our request waits for an end that never comes, and
``c2``'s batch is never asked for again. Without the carried-on event (the control), the
wait after the refusal asks again once."""

from __future__ import annotations

from typing import Any

import pytest

from rtagents.session.actions import StartCall, StartTimer

from .frames import busy, call_added, completed, created, snapshot, wrapped
from .test_held import answer_batch, attached_core, go


@pytest.mark.parametrize("carried_on", [False, True], ids=["end only", "carried on"])
def test_a_response_cut_off_and_carried_on_does_not_stick(carried_on: bool) -> None:
    core = attached_core()
    ask = answer_batch(core, "del_1", "c1")
    core.receive_frame(created("resp_1b", "del_1", ref=ask))  # the follow-up names ask
    core.receive_frame(call_added("c2", "fast", "del_1"))  # its arguments are cut off
    core.disconnected()
    go(core, core.replay())
    resumed = core.resumed()
    assert [(a.call_id, a.cut_off) for a in resumed if isinstance(a, StartCall)] == [("c2", True)]
    asks = go(core, resumed)
    asks += go(core, core.call_finished("c2", "disconnected: the call was cut off"))
    assert len(asks) == 1  # c2's batch asked for
    actions: list[Any] = []
    if carried_on:  # the server goes on with resp_1b: its events name ask, as all of them do
        delta = {"item_id": "msg_1", "output_index": 1, "content_index": 0, "delta": "One"}
        actions += core.receive_frame(wrapped("del_1", "response.output_text.delta", ask, **delta))
    actions += core.receive_frame(busy(asks[0]))  # resp_1b is under way on the server
    actions += core.receive_frame(completed("resp_1b", "del_1", ref=ask))
    for timer in [a for a in actions if isinstance(a, StartTimer)]:
        actions += core.timer_fired(timer.key)
    assert core.orchestrator.active is None, (
        f"a response stays active for ever: {core.orchestrator.active!r}"
    )
    assert len(go(core, actions)) == 1, "c2's batch was not asked for again"


def test_a_late_event_after_an_error_in_its_stream_begins_nothing() -> None:
    """The same for a response the session ended at an ``error`` in its stream: an event of
    it that comes after the error (it names the request, as all its events do) is taken for
    a follow-up that begins, and that phantom never ends (``response.failed`` after it maps
    to the response already ended)."""
    core = attached_core()
    ask = answer_batch(core, "del_1", "c1")
    core.receive_frame(created("resp_1b", "del_1", ref=ask))
    error = {"code": "server_error", "message": "the backend failed"}
    core.receive_frame(wrapped("del_1", "error", ask, **error))  # resp_1b is over for us
    late = {"item_id": "msg_1", "output_index": 0, "content_index": 0, "text": "Sorry"}
    core.receive_frame(wrapped("del_1", "response.output_text.done", ask, **late))
    failed = snapshot("resp_1b", "failed", error=error)
    core.receive_frame(wrapped("del_1", "response.failed", ask, response=failed))
    assert core.orchestrator.active is None, (
        f"a response stays active for ever: {core.orchestrator.active!r}"
    )
