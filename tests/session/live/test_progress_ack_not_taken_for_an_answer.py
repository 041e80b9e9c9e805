"""docs/live.md: the app's commentary (an ``on_delegation`` answer among them) "is held
until the server acknowledges it (``session.commentary.appended``)", and is sent again to the
connection that attaches after a drop; "Once the server has an answer that names its
delegation, the session tells ``delegation.answered``". An acknowledgement that names no
event is of the oldest note of its kind sent, held or not: the server appends in the order
things were sent, a tool's progress update (commentary, not held) among them. Before, it was
taken for the oldest *held* note: the acknowledgement of a progress update sent first was
taken for the delegation's answer sent after it, ``delegation.answered`` was told before the
server had the answer, and a drop then lost the answer (never sent again)."""

from __future__ import annotations

import json

from rtagents.session.actions import Emit, Send
from rtagents.session.events import DelegationAnswered
from rtagents.session.live import LiveCore
from tests.session.live.frames import frame

SESSION = {"id": "live_1", "model": "gpt-live-1", "expires_at": 1, "status": "active"}


def go(core: LiveCore, actions: list) -> None:
    for action in actions:
        if isinstance(action, Send):
            core.sent(action.event)


def test_a_progress_updates_acknowledgement_is_not_taken_for_a_held_answer() -> None:
    core = LiveCore(lambda name, response_id: None)
    core.receive_frame(frame("session.started", session=SESSION))
    go(core, core.progress("call_a", "Still looking."))  # sent first, not held
    go(core, core.commentary("Your order ships tomorrow.", "del_1"))  # held
    # The server acknowledges the first commentary it appended (the progress), naming none.
    out = core.receive_frame(frame("session.commentary.appended", start_ms=0, end_ms=900))
    told = [a.event for a in out if isinstance(a, Emit) and isinstance(a.event, DelegationAnswered)]
    core.disconnected()
    again = [json.loads(core.encode(a.event)) for a in core.replay() if isinstance(a, Send)]
    assert [f["content"] for f in again] == ["Your order ships tomorrow."], (
        f"the answer was not sent again after the drop; told: {told}"
    )
    assert told == []
