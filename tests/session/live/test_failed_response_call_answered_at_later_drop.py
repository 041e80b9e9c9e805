"""Rule (DESIGN: one ``response.create`` per batch, after the response that made the calls;
docs/live.md: only "a call the backend announced whose arguments the drop cut off" is
answered as ``disconnected`` after the re-attach).

A delegated response announces a call and then fails (``response.failed``: its item never
completes). The session is told (a warning) and the response is over: the server waits for
no output of it. ``DelegatedWork`` keeps the call in ``_calls`` (only ``output_item.done``
removes it), and ``forget`` now turns every entry of ``_calls`` into a cut call: at the next
drop, however much later, the re-attached connection answers that long-dead call as
``disconnected`` and asks the backend for a new response nobody wanted (the Live model then
speaks of it out of the blue)."""

from __future__ import annotations

import json
from typing import Any

from rtagents.session.actions import Send, StartCall, ToolTraits
from rtagents.session.live import LiveCore
from tests.session.live.frames import call_added, created, delegated, frame, snapshot, wrapped
from tests.session.live.test_held import SESSION


def failed(rid: str) -> str:
    error = {"code": "server_error", "message": "the model failed"}
    response = snapshot(rid, "failed", error=error)
    return wrapped("del_1", "response.failed", response=response)


def test_a_call_of_a_response_that_failed_is_not_answered_at_a_later_drop() -> None:
    core = LiveCore(lambda name, response_id: ToolTraits() if name == "fast" else None)
    core.receive_frame(frame("session.started", session=SESSION))
    core.receive_frame(delegated("del_1", rid="resp_1"))
    core.receive_frame(created("resp_1", "del_1"))
    core.receive_frame(call_added("call_dead", "fast", "del_1"))
    core.receive_frame(failed("resp_1"))  # over: nothing waits for call_dead's output
    # ... later, an unrelated drop; the next connection attaches to the same session.
    core.disconnected()
    core.replay()
    actions: list[Any] = core.resumed()
    starts = [a for a in actions if isinstance(a, StartCall)]
    for start in starts:  # what the dispatcher does with it: answered at once
        actions += core.call_finished(start.work_id, '{"error": "disconnected"}')
    asks = [
        a
        for a in actions
        if isinstance(a, Send) and json.loads(core.encode(a.event))["type"] == "response.create"
    ]
    assert starts == [] and asks == [], (
        f"a call of a response that had failed before the drop was answered after it "
        f"({[(s.call_id, s.cut_off) for s in starts]}), response.create: {len(asks)}"
    )
