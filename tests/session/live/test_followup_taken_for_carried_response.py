"""Rule (DESIGN: every call answered exactly once, also across reconnects; docs/live.md: "a
follow-up whose events name our request after the delegation's last response ended" begins
a response of its own, and a response's calls "are never taken for another").

Delegation ``del_1``'s response ``resp_1`` makes call ``c1`` and is still under way when the
connection drops: ``forget`` keeps it in ``_carried``. It ends on the server during the
drop (its end never reaches the session). After the attach ``c1`` finishes, its output and
the batch's ``response.create`` (``ask``) go, and the server starts the follow-up
``resp_1b`` (each of its events names ``ask``). A second drop loses ``resp_1b``'s
``response.created``. On the next attach ``resp_1b``'s first event finds its delegation's
latest response (``resp_1``) still in ``_carried`` (nothing ever leaves it but an event of
the delegation), and ``DelegatedWork.begin`` reopens ``resp_1`` instead of beginning the
follow-up: ``resp_1b``'s call ``c2`` is taken for ``resp_1``'s, and ``resp_1b``'s
``response.completed``, which lists ``c2``, takes it for a reused call id: ``c2`` is
answered a second time (an error output for a call that has its output), and ``resp_1``
stays open for ever. With ``resp_1b``'s ``response.created`` seen before the second drop
(the control), ``c2`` is answered once."""

from __future__ import annotations

from typing import Any

import pytest

from rtagents.session.actions import StartCall

from .frames import busy, call_added, call_done, call_item, completed, created, delegated, wrapped
from .test_held import attached_core, go


def reattach(core: Any) -> list[str]:
    core.disconnected()
    go(core, core.replay())
    return go(core, core.resumed())


@pytest.mark.parametrize("created_seen", [True, False], ids=["created seen", "created lost"])
def test_a_followup_after_a_carried_response_ended_unseen_keeps_its_call(
    created_seen: bool,
) -> None:
    core = attached_core()
    core.receive_frame(delegated("del_1", rid="resp_1"))
    core.receive_frame(created("resp_1", "del_1"))
    core.receive_frame(call_added("c1", "fast", "del_1"))
    core.receive_frame(call_done("c1", "fast", delegation_id="del_1"))  # c1 runs
    assert reattach(core) == []  # resp_1 was under way; its end is lost in the drop
    [ask] = go(core, core.call_finished("c1", "output of c1"))
    if created_seen:
        core.receive_frame(created("resp_1b", "del_1", ref=ask))
    again = reattach(core)  # a second drop, before (or after) resp_1b's response.created
    actions: list[Any] = []
    for asked in again:
        actions += core.receive_frame(busy(asked))  # resp_1b is under way
    # resp_1b goes on: its call c2 (its events name ask, as all of resp_1b's do).
    added = call_item("c2", "fast", "", "in_progress")
    actions += core.receive_frame(
        wrapped("del_1", "response.output_item.added", ask, output_index=0, item=added)
    )
    done = call_item("c2", "fast")
    actions += core.receive_frame(
        wrapped("del_1", "response.output_item.done", ask, output_index=0, item=done)
    )
    actions += core.call_finished("c2", "output of c2")
    actions += core.receive_frame(
        completed("resp_1b", "del_1", ref=ask, output=[call_item("c2", "fast")])
    )
    runs = [(a.call_id, a.response_id, a.duplicate) for a in actions if isinstance(a, StartCall)]
    assert len(runs) == 1, f"c2 was started {len(runs)} times: {runs}"
    assert core._work._open == {}, f"responses left open: {list(core._work._open)}"
