"""Rule (DESIGN: "exactly one ``response.create`` per batch: after the response that made the
calls is done and every call that wants a reply has its output, and never while another
response is active"; docs/live.md: "a response the attached connection carries on keeps its
calls").

Delegation ``del_1``'s response ``resp_1`` announces call ``c1``, which starts; the
connection drops and the session attaches again, and the server carries ``resp_1`` on: its
next event reopens it (``DelegatedWork._reopen``: "open again"). ``c1`` then finishes while
``resp_1`` is still under way. ``Batches.disconnected`` marked every batch done at the drop
("every response of the connection is over"), and ``_reopen`` neither undoes that nor tells
the orchestrator the response is active: ``c1``'s output asks for a ``response.create`` at
once, while ``resp_1`` (known to be running) may still announce calls. The server refuses
it as busy, and the batch is asked for a second time at ``resp_1``'s end. Without the drop
(the control) the batch is asked for once, at ``resp_1``'s end."""

from __future__ import annotations

from typing import Any

import pytest

from rtagents.session.actions import StartTimer

from .frames import busy, call_added, call_done, call_item, completed, created, delegated, wrapped
from .test_held import attached_core, go


@pytest.mark.parametrize("drop", [False, True], ids=["no drop", "carried on after attach"])
def test_the_batch_of_a_carried_on_response_is_asked_for_once_at_its_end(drop: bool) -> None:
    core = attached_core()
    core.receive_frame(delegated("del_1", rid="resp_1"))
    core.receive_frame(created("resp_1", "del_1"))
    core.receive_frame(call_added("c1", "fast", "del_1"))
    core.receive_frame(call_done("c1", "fast", delegation_id="del_1"))  # c1 runs
    if drop:
        core.disconnected()
        go(core, core.replay())
        assert go(core, core.resumed()) == []  # c1 still runs: nothing to ask
    # resp_1 goes on (on the attached connection, if it dropped): it is under way.
    delta = {"item_id": "msg_1", "output_index": 1, "content_index": 0, "delta": "Let me"}
    core.receive_frame(wrapped("del_1", "response.output_text.delta", **delta))
    early = go(core, core.call_finished("c1", "output of c1"))
    actions: list[Any] = [busy(ask) for ask in early]  # the server: resp_1 is active
    actions = [a for frame in actions for a in core.receive_frame(frame)]
    for timer in [a for a in actions if isinstance(a, StartTimer)]:
        actions += core.timer_fired(timer.key)
    early += go(core, actions)
    end = core.receive_frame(completed("resp_1", "del_1", output=[call_item("c1", "fast")]))
    at_end = go(core, end)
    assert (early, len(at_end)) == ([], 1), (
        f"asked {len(early)} time(s) while resp_1 ran, {len(at_end)} at its end"
    )
