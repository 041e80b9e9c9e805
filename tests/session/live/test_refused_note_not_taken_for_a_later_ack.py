"""A note the server refused (an ``error`` naming it) is never acknowledged: the next
acknowledgement that names no note is of the note after it, the app's held answer here,
which is then told answered and not sent again after a drop. Before, the refused note stayed
among those sent and unheard, and that acknowledgement was taken for it (the oldest of its
kind)."""

from __future__ import annotations

import json

from rtagents.session.actions import Emit, Send
from rtagents.session.events import DelegationAnswered
from rtagents.session.live import LiveCore
from tests.session.live.frames import frame

SESSION = {"id": "live_1", "model": "gpt-live-1", "expires_at": 1, "status": "active"}


def go(core: LiveCore, actions: list) -> list:
    sent = []
    for action in actions:
        if isinstance(action, Send):
            core.sent(action.event)
            sent.append(json.loads(core.encode(action.event)))
    return sent


def test_an_ack_after_a_refused_note_is_the_answers() -> None:
    core = LiveCore(lambda name, response_id: None)
    core.receive_frame(frame("session.started", session=SESSION))
    [refused] = go(core, core.progress("call_a", "Still looking."))  # not held
    error = {"type": "invalid_request_error", "code": "invalid_value", "message": "bad"}
    core.receive_frame(frame("error", error={**error, "client_event_id": refused["event_id"]}))
    go(core, core.commentary("Your order ships tomorrow.", "del_1"))  # held
    # The server appended the answer (the progress it refused, it never appended).
    out = core.receive_frame(frame("session.commentary.appended", start_ms=0, end_ms=900))
    told = [a.event for a in out if isinstance(a, Emit) and isinstance(a.event, DelegationAnswered)]
    core.disconnected()
    again = [json.loads(core.encode(a.event)) for a in core.replay() if isinstance(a, Send)]
    assert told, (
        "the acknowledgement was taken for the refused note: delegation.answered never told; "
        f"sent again after the drop: {[f.get('content') for f in again]}"
    )
