"""A connection that attaches to a dropped Live session carries on the session's work where
the drop left it: the events queued and not sent go out on it, the model's turn and a backend
response still streaming go on; the model's answer to a request in flight at the drop is
the session's (it goes on there), and a hosted tool call the dropped connection's clients
left is made again by the attached one.

These were the dropped connection's: lost at the attach, a turn cut there was never
answered (the end-to-end tests in ``tests/session/live/test_drop_*``)."""

from __future__ import annotations

import json
from typing import Any

from rtagents.emulator import CallFunction, DropConnection, Say
from tests.emulator.live.sansio import WEATHER, Live, responses, said


def attach(live: Live) -> None:
    """The connection has dropped (nothing more went out on it); a new one attaches."""
    assert live.disconnect is not None
    live.core.close()
    live.disconnect = None
    live.core.reattach(live.core.created_at_s + 1)


def test_what_was_queued_at_the_drop_goes_out_on_the_attached_connection() -> None:
    sentence = "The weather in Paris is sunny and warm today."
    live = Live([[Say(sentence)]])
    live.start()
    live.core.add_fault(DropConnection(after="session.output_transcript.delta"))
    before = live.turn()
    before += live.run(until_ms=60_000)
    assert said(before) and said(before) != sentence  # the first words, then the drop
    attach(live)
    after = live.run(until_ms=60_000)
    assert said(before) + said(after) == sentence, (said(before), said(after))
    assert [e["type"] for e in after][-1] == "session.usage.updated"


def test_a_backend_response_cut_by_the_drop_streams_on_with_its_call() -> None:
    call = CallFunction("get_weather", {"city": "Paris"}, call_id="call_1")
    whole = Live([[call]])
    whole.start(delegation=responses(WEATHER))
    kinds = inner(whole.turn() + whole.run(until_ms=60_000))
    live = Live([[call]])
    live.start(delegation=responses(WEATHER))
    live.core.add_fault(DropConnection(after="response.output_item.added"))
    before = inner(live.turn() + live.run(until_ms=60_000))
    assert before[-1] == "response.output_item.added" and "response.completed" in kinds
    attach(live)
    after = inner(live.run(until_ms=60_000))
    assert before + after == kinds, (before, after)


def test_a_model_request_in_flight_at_the_drop_is_answered_into_the_session_once() -> None:
    """The model's answer is the session's, not the connection's: the attached connection
    does not ask again (a scripted model would give its next turn), and the answer the
    request gets, whenever it comes, goes on there."""
    live = Live(hold_model=True)
    live.start()
    live.turn()
    assert len(live.asked) == 1  # handed out on the connection that drops
    live.core.drop()
    live.run()
    attach(live)
    assert live.run() == [] and live.asked == [live.asked[0]]  # not asked again
    assert said(live.answer([Say("Hello.")]) + live.run(until_ms=60_000)) == "Hello."


def test_a_drop_that_loses_the_work_leaves_only_the_calls_waiting() -> None:
    """``DropConnection(loses_work=True)``: a server that keeps less than the session. The
    rest of the backend's stream is never sent; its response waits for its call's output."""
    live = Live([[CallFunction("get_weather", {"city": "Paris"}, call_id="call_1")]])
    live.start(delegation=responses(WEATHER))
    live.core.add_fault(DropConnection(after="response.output_item.added", loses_work=True))
    before = inner(live.turn() + live.run(until_ms=60_000))
    assert before[-1] == "response.output_item.added"
    attach(live)
    assert live.run(until_ms=60_000) == []
    assert [run.call_ids for run in live.core.waiting] == [["call_1"]]


def test_a_client_frame_after_the_drop_is_decided_is_not_handled() -> None:
    """A drop fired on a client event takes the frames behind it with the connection: the
    ``response.create`` sent right after the dropped output is not answered (on this
    connection or, queued, on the one that attaches)."""
    live = Live()
    live.start()
    live.core.add_fault(DropConnection(on_client="session.instructions.append"))
    append = {"type": "session.instructions.append", "content": "Be brief."}
    live.core.receive(json.dumps(append))
    live.core.receive(json.dumps({"type": "response.create"}))  # no delegation: an error
    assert live.run() == [] and live.disconnect is not None
    attach(live)
    assert live.run(until_ms=60_000) == []
    assert live.core.appended == []


def inner(events: list[dict[str, Any]]) -> list[str]:
    """The Responses events' types, in the ``response.event``s among ``events``."""
    return [e["event"]["type"] for e in events if e["type"] == "response.event"]
