"""Rule (DESIGN: every call answered exactly once, also across reconnects; ``forget``: "a
call whose arguments the drop cut off is kept, to be answered by ``cut_off``").

The backend's response announces a call (``output_item.added``) and the connection drops
before its arguments: ``forget(attaching=True)`` keeps it in ``_cut``, for ``cut_off`` once
the attached connection has the conversation back (``resumed``). That connection drops in
turn while it is given the conversation (after ``replay``, before ``resumed``: the link is
``REPLAYING``, so the drop is a ``FORGET``), and ``forget`` runs again: it rebuilds ``_cut``
from ``_calls`` and ``_open``, both emptied by the first drop, so the kept call is lost. The
third connection's ``resumed`` answers nothing: the call never gets an output, and the
server's response, which waits for every output of its batch, never goes on. With one drop
(the control) the call is answered as cut off."""

from __future__ import annotations

from typing import Any

import pytest

from rtagents.session.actions import StartCall

from .frames import call_added, created, delegated
from .test_held import attached_core, go


@pytest.mark.parametrize("drops", [1, 2], ids=["one drop", "a second drop while replaying"])
@pytest.mark.parametrize("announced_rid", [True, False], ids=["response id", "no response id"])
def test_a_call_cut_by_a_drop_is_answered_after_the_next_attach(
    drops: int, announced_rid: bool
) -> None:
    core = attached_core()
    core.receive_frame(delegated("del_1", rid="resp_1" if announced_rid else None))
    if announced_rid:
        core.receive_frame(created("resp_1", "del_1"))
    core.receive_frame(call_added("c1", "fast", "del_1"))  # its arguments never come
    core.disconnected()
    for _ in range(drops - 1):
        go(core, core.replay())  # the attached connection is given the conversation...
        core.disconnected()  # ...and drops before it is resumed
    go(core, core.replay())
    actions: list[Any] = core.resumed()
    cut = [(a.call_id, a.cut_off) for a in actions if isinstance(a, StartCall)]
    assert cut == [("c1", True)], f"after {drops} drop(s) the cut call was started as {cut}"
