"""Rule (DESIGN: exactly-once tool outputs across reconnects; docs/live.md: a delegation
announced without its ``response_id`` "has its response begin with its first event, and the
end that names its id ends that one: its calls are never taken for another").

The response of a delegation announced without its id begins with its first event (named
``del_2#n`` here) and its call completes and runs. The connection drops; the session
attaches again and the server carries the response on: its ``response.completed`` names its
real id and lists the call. ``forget`` cleared which response was under way, so ``_ending``
no longer maps the real id to the name given here: the end is taken for another response,
the call listed in it for a reused call id, and it is answered a second time (an "already
used" error after its real output). With ``response.created`` seen (the control), the same
drop answers it once."""

from __future__ import annotations

from typing import Any

import pytest

from rtagents.session.actions import StartCall, ToolTraits
from rtagents.session.live import LiveCore

from .frames import call_added, call_done, call_item, completed, created, delegated, frame
from .test_held import SESSION


@pytest.mark.parametrize("seen_created", [True, False], ids=["created seen", "begun implicitly"])
def test_a_call_of_a_response_carried_on_after_attach_is_answered_once(seen_created: bool) -> None:
    core = LiveCore(lambda name, rid: ToolTraits())
    core.receive_frame(frame("session.started", session=SESSION))
    core.receive_frame(delegated("del_2"))  # no response id
    if seen_created:
        core.receive_frame(created("resp_2", "del_2"))
    core.receive_frame(call_added("c2", "lookup", "del_2"))
    starts: list[Any] = core.receive_frame(call_done("c2", "lookup", delegation_id="del_2"))
    core.call_finished("c2", "two")
    # The connection drops; the next one attaches to the same session.
    core.disconnected()
    core.replay()
    starts += core.resumed()
    # The server carries the response on: its end names its real id and lists the call.
    starts += core.receive_frame(completed("resp_2", "del_2", output=[call_item("c2", "lookup")]))
    runs = [(s.call_id, s.duplicate) for s in starts if isinstance(s, StartCall)]
    assert runs == [("c2", False)], f"call c2 was started {len(runs)} times: {runs}"
