"""What GPT-Live is sent again after a drop (sans I/O). GPT-Live acknowledges no output
(``response.item.create`` has no reply): an output counts as the server's once the response
that our ``response.create`` asked for ends, since the server read the output before the
request. That response is told apart by the ``client_event_id`` GPT-Live gives its events
(the request's event id); with a server that gives none, by any response's end."""

from __future__ import annotations

import json

from rtagents.session.actions import Send, ToolTraits
from rtagents.session.live import LiveCore

from .frames import (
    arguments_done,
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


def test_the_response_that_answers_a_batch_takes_every_output_of_it_the_last_too() -> None:
    core = attached_core()
    ask = answer_batch(core, "del_1", "call_a", "call_b")
    core.receive_frame(created("resp_2", "del_1", ref=ask))
    core.receive_frame(completed("resp_2", "del_1", ref=ask))
    assert sent_again(core) == []


def test_another_responses_end_takes_nothing_of_what_was_asked() -> None:
    """A response the model started on its own ends after our request went out: the server
    may not have read our outputs then, so they are still held."""
    core = attached_core()
    core.receive_frame(delegated("del_9", rid="resp_9"))
    core.receive_frame(created("resp_9", "del_9"))
    ask = answer_batch(core, "del_1", "call_a", "call_b")
    core.receive_frame(created("resp_2", "del_1", ref=ask))  # ours has started
    core.receive_frame(completed("resp_9", "del_9"))  # another ends
    assert sent_again(core) == ["call_a", "call_b"]


def test_the_answering_response_is_known_by_its_delegation_once_one_event_names_the_ask() -> None:
    """Only the answering response's first event may carry the request's id: its end is
    known by its delegation."""
    core = attached_core()
    ask = answer_batch(core, "del_1", "call_a")
    core.receive_frame(created("resp_2", "del_1", ref=ask))
    core.receive_frame(completed("resp_2", "del_1"))
    assert sent_again(core) == []


def test_with_a_server_that_names_no_request_any_end_after_it_takes_the_outputs() -> None:
    core = attached_core()
    answer_batch(core, "del_1", "call_a", "call_b")
    core.receive_frame(created("resp_2", "del_1"))
    core.receive_frame(completed("resp_2", "del_1"))
    assert sent_again(core) == []


def test_outputs_no_response_answered_are_sent_again() -> None:
    core = attached_core()
    ask = answer_batch(core, "del_1", "call_a", "call_b")
    core.receive_frame(created("resp_2", "del_1", ref=ask))
    assert sent_again(core) == ["call_a", "call_b"]


def test_a_response_under_way_before_the_request_takes_nothing_of_it() -> None:
    """The session's first batch, before the server named any request: a response the model
    started on its own, under way when we asked, ends first. The server may not have read
    our outputs then."""
    core = attached_core()
    core.receive_frame(delegated("del_9", rid="resp_9"))
    core.receive_frame(created("resp_9", "del_9"))
    answer_batch(core, "del_1", "call_a", "call_b")
    core.receive_frame(completed("resp_9", "del_9"))
    assert sent_again(core) == ["call_a", "call_b"]


def test_the_answer_is_known_by_its_response_id_without_a_delegation() -> None:
    core = attached_core()
    ask = answer_batch(core, "del_1", "call_a")
    core.receive_frame(created("resp_2", None, ref=ask))
    core.receive_frame(completed("resp_2", None))
    assert sent_again(core) == []


def test_a_server_that_named_an_older_request_is_taken_at_its_word() -> None:
    """After a drop, the response to the first request names it (the server kept it); the
    request sent again is answered by none yet: another response's end takes nothing."""
    core = attached_core()
    first = answer_batch(core, "del_1", "call_a")
    assert sent_again(core) == ["call_a"]  # a drop before any answer
    for action in core.resumed():  # the batch's request, asked again
        if isinstance(action, Send):
            core.sent(action.event)
    core.receive_frame(created("resp_2", "del_1", ref=first))
    core.receive_frame(delegated("del_9", rid="resp_9"))
    core.receive_frame(created("resp_9", "del_9"))
    core.receive_frame(completed("resp_9", "del_9"))
    assert sent_again(core) == ["call_a"]


def test_an_error_in_the_answers_stream_ends_it() -> None:
    core = attached_core()
    ask = answer_batch(core, "del_1", "call_a")
    core.receive_frame(created("resp_2", "del_1", ref=ask))
    error = {"code": "server_error", "message": "boom", "param": None}
    core.receive_frame(wrapped("del_1", "error", **error))
    assert sent_again(core) == []
