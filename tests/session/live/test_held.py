"""What GPT-Live is sent again after a drop (sans I/O). GPT-Live acknowledges no output
(``response.item.create`` has no reply), but it reads in order: once it has read one of our
``response.create``s, it has every output sent before it. A server event that names the
request (``client_event_id``: the response it started, or a refusal) shows that it read it;
with a server that never names one, the end of a response that was not under way when the
request went out."""

from __future__ import annotations

import json
from typing import Any

from rtagents.session.actions import Send, ToolTraits
from rtagents.session.live import LiveCore

from .frames import (
    arguments_done,
    busy,
    call_added,
    call_done,
    completed,
    created,
    delegated,
    frame,
    wrapped,
)

SESSION = {"id": "live_1", "model": "gpt-live-1", "expires_at": 1, "status": "active"}


def attached_core() -> LiveCore:
    """A Live core whose session has an id: a drop attaches to it again."""
    core = LiveCore(lambda name, response_id: ToolTraits() if name == "fast" else None)
    core.receive_frame(frame("session.started", session=SESSION))
    return core


def answer_batch(core: LiveCore, delegation: str, *call_ids: str) -> str:
    """A delegated response of ``call_ids`` completes; each is answered, and every client
    event goes out. Returns the event id of the ``response.create`` that asks for more."""
    rid = f"resp_{delegation}"
    core.receive_frame(delegated(delegation, rid=rid))
    core.receive_frame(created(rid, delegation))
    for call_id in call_ids:
        core.receive_frame(call_added(call_id, "fast", delegation))
        core.receive_frame(arguments_done(call_id, delegation_id=delegation))
        core.receive_frame(call_done(call_id, "fast", delegation_id=delegation))
    core.receive_frame(completed(rid, delegation))
    asks = []
    for call_id in call_ids:
        for action in core.call_finished(call_id, f"output of {call_id}"):
            if isinstance(action, Send):
                core.sent(action.event)
                sent = json.loads(core.encode(action.event))
                if sent["type"] == "response.create":
                    asks.append(sent["event_id"])
    [ask] = asks
    return ask


def sent_again(core: LiveCore) -> list[str]:
    """After a drop: the call ids of the outputs the attached connection is sent again."""
    core.disconnected()
    frames = [json.loads(core.encode(a.event)) for a in core.replay() if isinstance(a, Send)]
    return sorted(f["item"]["call_id"] for f in frames if f["type"] == "response.item.create")


def go(core: LiveCore, actions: list[Any]) -> list[str]:
    """Send what ``actions`` send: the event ids of the ``response.create``s among them."""
    asks = []
    for action in actions:
        if isinstance(action, Send):
            core.sent(action.event)
            sent = json.loads(core.encode(action.event))
            if sent["type"] == "response.create":
                asks.append(sent["event_id"])
    return asks


def named_server() -> LiveCore:
    """A core whose server has named a request of ours already (a first batch answered)."""
    core = attached_core()
    first = answer_batch(core, "del_0", "call_0")
    core.receive_frame(created("resp_0b", "del_0", ref=first))
    core.receive_frame(completed("resp_0b", "del_0", ref=first))
    return core


def test_the_response_that_names_the_request_takes_every_output_before_it() -> None:
    """The batch's last output too: the request goes out after it."""
    core = attached_core()
    ask = answer_batch(core, "del_1", "call_a", "call_b")
    core.receive_frame(created("resp_2", "del_1", ref=ask))
    assert sent_again(core) == []


def test_another_responses_end_takes_nothing_of_what_was_asked() -> None:
    """The server names requests; a response the model started on its own ends after our
    request went out: the server may not have read the request yet."""
    core = named_server()
    answer_batch(core, "del_1", "call_a", "call_b")
    core.receive_frame(delegated("del_9", rid="resp_9"))
    core.receive_frame(created("resp_9", "del_9"))
    core.receive_frame(completed("resp_9", "del_9"))
    assert sent_again(core) == ["call_a", "call_b"]


def test_a_response_under_way_before_the_request_takes_nothing_of_it() -> None:
    """A server that never named a request: a response under way when we asked ends first."""
    core = attached_core()
    core.receive_frame(delegated("del_9", rid="resp_9"))
    core.receive_frame(created("resp_9", "del_9"))
    answer_batch(core, "del_1", "call_a", "call_b")
    core.receive_frame(completed("resp_9", "del_9"))
    assert sent_again(core) == ["call_a", "call_b"]


def test_with_a_server_that_names_no_request_a_response_begun_after_it_takes_the_outputs() -> None:
    core = attached_core()
    answer_batch(core, "del_1", "call_a", "call_b")
    core.receive_frame(created("resp_2", "del_1"))
    core.receive_frame(completed("resp_2", "del_1"))
    assert sent_again(core) == []


def test_with_a_server_that_names_no_request_a_response_begun_is_not_enough() -> None:
    """Begun after the request, it may still have been started by the model on its own."""
    core = attached_core()
    answer_batch(core, "del_1", "call_a", "call_b")
    core.receive_frame(created("resp_2", "del_1"))
    assert sent_again(core) == ["call_a", "call_b"]


def test_the_answer_is_known_by_its_response_id_without_a_delegation() -> None:
    core = attached_core()
    ask = answer_batch(core, "del_1", "call_a")
    core.receive_frame(created("resp_2", None, ref=ask))
    core.receive_frame(completed("resp_2", None))
    assert sent_again(core) == []


def test_outputs_no_server_event_answered_are_sent_again() -> None:
    core = named_server()
    answer_batch(core, "del_1", "call_a", "call_b")
    assert sent_again(core) == ["call_a", "call_b"]


def test_a_request_refused_as_busy_was_read() -> None:
    """Refused because a response of the model's own is active: the server read the request,
    and every output before it, though no response will ever name it."""
    core = named_server()
    ask = answer_batch(core, "del_3", "call_b")
    core.receive_frame(delegated("del_9", rid="resp_9"))
    core.receive_frame(created("resp_9", "del_9"))
    core.receive_frame(busy(ask))
    core.receive_frame(completed("resp_9", "del_9"))
    assert sent_again(core) == []


def test_the_answer_to_a_request_sent_before_a_drop_takes_its_outputs() -> None:
    """After a drop the batch's request is asked again (refused: the first one's response
    runs); the server kept the first, and its response names it."""
    core = attached_core()
    first = answer_batch(core, "del_1", "call_a")
    assert sent_again(core) == ["call_a"]  # a drop before any answer
    [second] = go(core, core.resumed())
    core.receive_frame(created("resp_2", "del_1", ref=first))
    core.receive_frame(busy(second))
    core.receive_frame(completed("resp_2", "del_1", ref=first))
    assert sent_again(core) == []


def test_a_named_server_keeps_another_responses_end_from_taking_a_request_sent_again() -> None:
    core = named_server()
    answer_batch(core, "del_1", "call_a")
    assert sent_again(core) == ["call_a"]
    go(core, core.resumed())
    core.receive_frame(delegated("del_9", rid="resp_9"))
    core.receive_frame(created("resp_9", "del_9"))
    core.receive_frame(completed("resp_9", "del_9"))
    assert sent_again(core) == ["call_a"]


def test_the_requests_kept_are_bounded_while_none_is_read() -> None:
    """However many times the batch is asked again (a drop each time, and no server event
    names any request), a bounded number of requests is kept; what goes is still held."""
    core = named_server()
    answer_batch(core, "del_1", "call_a")
    for _ in range(40):
        assert sent_again(core) == ["call_a"]
        assert len(go(core, core.resumed())) == 1
    assert len(core._held._asks) == 16


def test_an_error_in_the_answers_stream_ends_it_for_a_server_that_names_none() -> None:
    core = attached_core()
    answer_batch(core, "del_1", "call_a")
    core.receive_frame(created("resp_2", "del_1"))
    error = {"code": "server_error", "message": "boom", "param": None}
    core.receive_frame(wrapped("del_1", "error", **error))
    assert sent_again(core) == []


def test_a_request_asked_again_after_a_drop_and_refused_as_busy_waits() -> None:
    """After the drop, the response under way went on for the old connection (its start never
    came here): the batch's request, asked again, is refused as busy. It goes again later,
    not at once (that would be refused again, and again, while the response runs)."""
    core = attached_core()
    answer_batch(core, "del_1", "call_a")
    sent_again(core)
    [second] = go(core, core.resumed())
    assert go(core, core.receive_frame(busy(second))) == []
    [third] = go(core, core.timer_fired(f"unseen:{second}"))
    assert third != second


def test_a_response_under_way_across_a_drop_takes_nothing_of_a_request_sent_after_it() -> None:
    """A server that never names a request: the model's own response, under way before the
    drop, goes on after it; its end proves nothing of the request sent after the drop."""
    core = attached_core()
    core.receive_frame(delegated("del_9", rid="resp_9"))
    core.receive_frame(created("resp_9", "del_9"))
    answer_batch(core, "del_1", "call_a")
    assert sent_again(core) == ["call_a"]
    go(core, core.resumed())
    core.receive_frame(completed("resp_9", "del_9"))
    assert sent_again(core) == ["call_a"]


def test_a_stray_error_in_a_stream_takes_nothing() -> None:
    """An ``error`` in a delegation's stream that ends no response begun after the request
    (the last one ended before it went out) proves nothing."""
    core = attached_core()
    answer_batch(core, "del_1", "call_a")
    error = {"code": "server_error", "message": "boom", "param": None}
    core.receive_frame(wrapped("del_1", "error", **error))
    assert sent_again(core) == ["call_a"]


def test_a_background_result_the_server_refused_is_not_sent_again_after_each_drop() -> None:
    core = attached_core()
    told = core.background_finished("call_bg", "system", "the report is ready", reply=True)
    go(core, told)
    [note] = [json.loads(core.encode(a.event)) for a in told if isinstance(a, Send)]
    error = {"type": "invalid_request_error", "code": "invalid_value", "message": "bad"}
    core.receive_frame(frame("error", error={**error, "client_event_id": note["event_id"]}))
    for _ in range(2):
        core.disconnected()
        assert core.replay() == []


def test_a_stray_stream_error_after_a_drop_takes_nothing() -> None:
    core = attached_core()
    answer_batch(core, "del_1", "call_a")
    assert sent_again(core) == ["call_a"]
    go(core, core.resumed())
    error = {"code": "server_error", "message": "boom", "param": None}
    core.receive_frame(wrapped("del_1", "error", **error))
    assert sent_again(core) == ["call_a"]


def test_an_error_naming_something_else_takes_nothing() -> None:
    """An error names an event of ours that is no request for a response (an output sent
    again and refused, say), or none: what the requests had stays held."""
    core = named_server()
    answer_batch(core, "del_1", "call_a")
    error = {"type": "invalid_request_error", "code": "invalid_value", "message": "no"}
    core.receive_frame(frame("error", error={**error, "client_event_id": "evt_not_a_request"}))
    core.receive_frame(frame("error", error=error))
    assert sent_again(core) == ["call_a"]


def notes_sent_again(core: LiveCore) -> list[tuple[str, str]]:
    """After a drop: the (type, content) of the commentary and thinking sent again."""
    core.disconnected()
    frames = [json.loads(core.encode(a.event)) for a in core.replay() if isinstance(a, Send)]
    return [(f["type"], f["content"]) for f in frames if f["type"].endswith(".append")]


def test_the_apps_commentary_and_thinking_are_held_until_the_server_has_them() -> None:
    """A client delegation's answer (``on_delegation``'s commentary) given while the
    connection is down was dropped: the attached connection never had it, and the model's
    delegation waited for good. The app's commentary and thinking are held, as a background
    result's is, until the server says it has them; a tool's progress is not (stale)."""
    core = attached_core()
    answer = core.commentary("Your order ships tomorrow.", "del_1")
    quiet = core.thinking("The caller is a gold member.", None)
    go(core, [*answer, *quiet, *core.progress("call_a", "Still looking.")])
    assert notes_sent_again(core) == [
        ("session.commentary.append", "Your order ships tomorrow."),
        ("session.thinking.append", "The caller is a gold member."),
    ]
    go(core, core.resumed())
    [said, thought] = [json.loads(core.encode(a.event))["event_id"] for a in (*answer, *quiet)]
    core.receive_frame(
        frame("session.commentary.appended", start_ms=0, end_ms=900, client_event_id=said)
    )
    core.receive_frame(
        frame("session.thinking.appended", start_ms=0, end_ms=0, client_event_id=thought)
    )
    assert notes_sent_again(core) == []


def test_notes_the_server_acknowledged_without_naming_them_are_not_spoken_again() -> None:
    """The server acknowledged each (appended: on the timeline, spoken) but named none: after
    a drop, none is sent again (each would be said a second time), and none is kept."""
    core = attached_core()
    for n in range(100):
        go(core, core.commentary(f"answer {n}", None))
        core.receive_frame(frame("session.commentary.appended", start_ms=n, end_ms=n + 1))
    assert len(core._held._notes) < 100  # bounded over a long session
    assert notes_sent_again(core) == []  # every answer of the session spoken again


def both_waiting(core: LiveCore) -> str:
    """Delegations ``del_1`` and ``del_2`` under way at once, each making a call (``c1``,
    ``c2``) whose output goes as its response runs; both end, and the one request that goes
    for both is returned (its event id)."""
    for n in (1, 2):
        core.receive_frame(delegated(f"del_{n}", rid=f"resp_{n}"))
        core.receive_frame(created(f"resp_{n}", f"del_{n}"))
        core.receive_frame(call_done(f"c{n}", "fast", delegation_id=f"del_{n}"))
    for n in (1, 2):
        assert go(core, core.call_finished(f"c{n}", str(n))) == []
    assert go(core, core.receive_frame(completed("resp_1", "del_1"))) == []
    [ask] = go(core, core.receive_frame(completed("resp_2", "del_2")))  # one, for both
    return ask
