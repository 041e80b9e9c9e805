"""Rule (docs/live.md and ``live_out.Held``: what a drop may have lost is sent again only
until the server is known to have read a request sent after it; with a server that never
names our requests, "once a response it began after that request ends"; no unbounded
memory in long sessions).

A response begun implicitly (its delegation announced without its ``response_id``, no
``response.created``: the case 80dc5f1 handles) never tells ``Held`` it began, so its end
proves nothing read: every output of the session stays held, and each drop sends all of
them again (each refused by the server as a copy). With ``response.created`` seen (the
control), only the output of the batch not yet answered goes again."""

from __future__ import annotations

import pytest

from rtagents.session.live import LiveCore

from .frames import call_added, call_done, completed, created, delegated
from .test_held import attached_core, go, sent_again


def turn(core: LiveCore, n: int, seen_created: bool) -> None:
    """Delegation ``del_n`` (announced without its response id) makes call ``cn``, which
    is answered; its batch's ``response.create`` goes."""
    delegation, rid, call = f"del_{n}", f"resp_{n}", f"c{n}"
    core.receive_frame(delegated(delegation))
    if seen_created:
        core.receive_frame(created(rid, delegation))
    core.receive_frame(call_added(call, "fast", delegation))
    core.receive_frame(call_done(call, "fast", delegation_id=delegation))
    core.receive_frame(completed(rid, delegation))
    assert len(go(core, core.call_finished(call, f"output of {call}"))) == 1


@pytest.mark.parametrize("seen_created", [True, False], ids=["created seen", "begun implicitly"])
def test_outputs_a_later_response_answered_are_not_held(seen_created: bool) -> None:
    core = attached_core()
    for n in (1, 2, 3):
        turn(core, n, seen_created)
    # c1's and c2's requests were read (responses begun after each ended): only c3's
    # output may have been lost.
    assert sent_again(core) == ["c3"]


@pytest.mark.parametrize("seen_created", [True, False], ids=["created seen", "begun implicitly"])
def test_outputs_held_stay_bounded_in_a_long_session(seen_created: bool) -> None:
    """No unbounded memory: each turn's end shows the request before it read, so what is
    held stays a turn's worth, not every output of the session."""
    core = attached_core()
    for n in range(1, 101):
        turn(core, n, seen_created)
    assert len(core._held._items) <= 2, len(core._held._items)
