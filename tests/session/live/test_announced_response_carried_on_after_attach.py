"""Rule (DESIGN: exactly-once tool outputs across reconnects; docs/live.md: the inner events
"each is of the response under way in its delegation"; a response whose
``response.created`` never came on this connection because "it began before an attach"
has its calls "never taken for another delegation's").

Delegation ``del_2`` is announced with its ``response_id`` (``resp_2``); the connection
drops before that response's ``response.created``, and the session attaches again, where
the server carries the response on. ``DelegatedWork.forget`` cleared ``_current`` (the
delegation -> response map the announcement filled), so the response's call is taken for
the response created last (``resp_1``, another delegation's, finished), then its
``response.completed`` lists it under ``resp_2``: a reused call id, answered a second time.
The same delegation announced without its id (the case 80dc5f1 fixed, the control) is
answered once."""

from __future__ import annotations

from typing import Any

import pytest

from rtagents.session.actions import StartCall, ToolTraits
from rtagents.session.live import LiveCore

from .frames import call_added, call_done, call_item, completed, created, delegated, frame
from .test_held import SESSION


@pytest.mark.parametrize("announced_rid", [False, True], ids=["no response id", "response id"])
def test_a_call_of_a_delegation_announced_before_the_drop_is_answered_once(
    announced_rid: bool,
) -> None:
    core = LiveCore(lambda name, rid: ToolTraits())
    core.receive_frame(frame("session.started", session=SESSION))
    core.receive_frame(delegated("del_1", rid="resp_1"))
    core.receive_frame(created("resp_1", "del_1"))
    core.receive_frame(call_done("c1", "lookup", delegation_id="del_1"))
    core.receive_frame(completed("resp_1", "del_1"))
    core.call_finished("c1", "one")
    core.receive_frame(delegated("del_2", rid="resp_2" if announced_rid else None))
    # The connection drops before resp_2's response.created; the next one attaches.
    core.disconnected()
    core.replay()
    core.resumed()
    starts: list[Any] = core.receive_frame(call_added("c2", "lookup", "del_2"))
    starts += core.receive_frame(call_done("c2", "lookup", delegation_id="del_2"))
    starts += core.call_finished("c2", "two")
    starts += core.receive_frame(completed("resp_2", "del_2", output=[call_item("c2", "lookup")]))
    runs = [(s.call_id, s.response_id, s.duplicate) for s in starts if isinstance(s, StartCall)]
    assert len(runs) == 1 and runs[0][1] != "resp_1", f"call c2 was started as {runs}"
