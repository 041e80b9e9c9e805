"""Rule (DESIGN: every call answered exactly once, also across reconnects; docs/live.md: "A
call the backend announced whose arguments the drop cut off ... is answered without
running, as a ``disconnected`` failure ..., and the turn goes on").

Delegation ``del_2`` is announced *with* its ``response_id`` (``resp_2``); its
``response.created`` never reaches the session (the connection drops before it, or the
server leaves it out). ``DelegatedWork.begin`` begins a response at its first event only
for a delegation announced without an id, so ``resp_2`` is never open here. It announces
call ``c3`` (``output_item.added``) and the connection drops before ``c3``'s arguments:
``forget`` keeps only the calls of responses in ``_open``, so ``c3`` is not kept, the
attached connection's ``resumed`` answers nothing, and the backend's response waits for
``c3``'s output for ever. With ``response.created`` seen (the control) ``c3`` is answered
as cut off."""

from __future__ import annotations

from typing import Any

import pytest

from rtagents.session.actions import StartCall

from .frames import call_added, created, delegated
from .test_held import attached_core, go


def reattach(core: Any) -> list[Any]:
    core.disconnected()
    go(core, core.replay())
    return list(core.resumed())


@pytest.mark.parametrize("first_drop", [False, True], ids=["created left out", "created lost"])
@pytest.mark.parametrize("created_seen", [True, False], ids=["created seen", "no created"])
def test_a_call_cut_by_a_drop_is_answered(created_seen: bool, first_drop: bool) -> None:
    core = attached_core()
    core.receive_frame(delegated("del_2", rid="resp_2"))
    if created_seen:
        core.receive_frame(created("resp_2", "del_2"))
    if first_drop:
        go(core, reattach(core))  # resp_2 goes on after the attach
    core.receive_frame(call_added("c3", "fast", "del_2"))  # its arguments never come
    actions = reattach(core)
    cut = [(a.call_id, a.cut_off) for a in actions if isinstance(a, StartCall)]
    assert cut == [("c3", True)], f"the cut call was started as {cut}"
