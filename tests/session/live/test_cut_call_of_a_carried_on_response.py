"""Rule (DESIGN: every call answered exactly once, also across reconnects; docs/live.md:
"a response the attached connection carries on keeps its calls"; ``forget``: "a call whose
arguments the drop cut off is kept, to be answered by ``cut_off``").

A delegated response (``resp_1``) is under way when the connection drops; the session
attaches again and the server carries it on: it announces call ``c3``
(``output_item.added``), and the connection drops again before ``c3``'s arguments.
``forget`` keeps only the calls of responses in ``_open``, which the first drop emptied and
nothing refills for a response carried on (no ``response.created`` comes for it): ``c3`` is
not kept, the next attach answers nothing, and the server's response waits for its output
for ever. A call cut by the first drop (the control) is answered as cut off."""

from __future__ import annotations

from typing import Any

import pytest

from rtagents.session.actions import StartCall

from .frames import call_added, call_done, created, delegated
from .test_held import attached_core, go


def reattach(core: Any) -> list[Any]:
    core.disconnected()
    go(core, core.replay())
    return list(core.resumed())


@pytest.mark.parametrize("announced_rid", [True, False], ids=["response id", "no response id"])
@pytest.mark.parametrize("carried_on", [False, True], ids=["cut by the first drop", "carried on"])
def test_a_call_cut_by_a_drop_is_answered(carried_on: bool, announced_rid: bool) -> None:
    core = attached_core()
    core.receive_frame(delegated("del_1", rid="resp_1" if announced_rid else None))
    if announced_rid:
        core.receive_frame(created("resp_1", "del_1"))
    else:  # begun implicitly, at its first event
        core.receive_frame(call_added("c0", "fast", "del_1"))
        core.receive_frame(call_done("c0", "fast", delegation_id="del_1"))
    if carried_on:
        go(core, reattach(core))  # resp_1 goes on after the attach
    core.receive_frame(call_added("c3", "fast", "del_1"))  # its arguments never come
    actions = reattach(core)
    cut = [(a.call_id, a.cut_off) for a in actions if isinstance(a, StartCall)]
    assert cut == [("c3", True)], f"the cut call was started as {cut}"
