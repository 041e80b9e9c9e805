"""Rule (DESIGN: exactly-once tool outputs across reconnects, one ``response.create`` per
batch; docs/live.md: "Which response each delegation has is kept across a drop: a response
the attached connection carries on keeps its calls").

Delegation ``del_1``'s response ``resp_1`` makes call ``c1``; its output and the batch's
``response.create`` go out. The server reads the request and carries the delegation on with
a follow-up response ``resp_1b`` (its events name our request); its ``response.created`` is
lost in a drop, and the attached connection carries ``resp_1b`` on. Its call ``c2`` is taken
for ``resp_1`` (the delegation's latest response *kept across the drop*, ended long ago):
its output asks for a ``response.create`` at once, while ``resp_1b`` still runs, and its
``response.completed`` lists ``c2`` under ``resp_1b``, a "reused" call id answered a second
time. With ``response.created`` seen before the drop (the control) ``c2`` is answered once
and its batch asked for once, after ``resp_1b``'s end."""

from __future__ import annotations

from typing import Any

import pytest

from rtagents.session.actions import SendOutput, StartCall

from .frames import busy, call_added, call_done, call_item, completed, created, wrapped
from .test_held import answer_batch, attached_core, go


@pytest.mark.parametrize("created_seen", [True, False], ids=["created seen", "created lost"])
def test_a_followup_carried_on_after_attach_keeps_its_call(created_seen: bool) -> None:
    core = attached_core()
    ask = answer_batch(core, "del_1", "c1")  # resp_del_1 ended; its batch asked for (ask)
    if created_seen:  # the follow-up's start, before the drop
        core.receive_frame(created("resp_1b", "del_1", ref=ask))
    core.disconnected()
    go(core, core.replay())
    asks = go(core, core.resumed())
    for again in asks:  # the follow-up is under way on the server: busy
        core.receive_frame(busy(again))
    # The attached connection carries resp_1b on: its call c2, then its end.
    actions: list[Any] = []
    actions += core.receive_frame(wrapped("del_1", "response.in_progress", ask))
    actions += core.receive_frame(call_added("c2", "fast", "del_1"))
    actions += core.receive_frame(call_done("c2", "fast", delegation_id="del_1"))
    starts = [(a.call_id, a.response_id) for a in actions if isinstance(a, StartCall)]
    assert [c for c, _ in starts] == ["c2"]
    early = go(core, core.call_finished("c2", "output of c2"))
    assert early == [], "c2's batch was asked for while its response still ran"
    end = core.receive_frame(
        completed("resp_1b", "del_1", ref=ask, output=[call_item("c2", "fast")])
    )
    again = [(a.call_id, a.duplicate) for a in end if isinstance(a, StartCall)]
    assert again == [], f"c2, which ran, was started again at its response's end: {again}"
    outputs = [a for a in end if isinstance(a, SendOutput)]
    assert outputs == []
    assert len(go(core, end)) == 1, "c2's batch was not asked for once at resp_1b's end"
