"""GPT-Live: a delegation announced without its ``response_id`` whose response's
``response.created`` never comes (the connection attached after it, or the server left it
out). Its response begins with its first event, named after the delegation, and its end
(which names its real id) ends that one: its calls are its own, never the calls of the
response created last. Sans I/O; ``tests/session/test_live_call_answered_twice_without_
response_created.py`` shows the same over a socket."""

from __future__ import annotations

from typing import Any

from rtagents.session.actions import StartCall, ToolTraits
from rtagents.session.live import LiveCore

from .frames import call_added, call_done, call_item, completed, created, delegated, kinds


def _starts(actions: list[Any]) -> list[StartCall]:
    return [a for a in actions if isinstance(a, StartCall)]


def _first_turn_answered() -> LiveCore:
    """Delegation ``del_1``'s response ``resp_1`` made call ``c1``, whose batch was asked for."""
    core = LiveCore(lambda name, rid: ToolTraits())
    core.receive_frame(delegated("del_1", rid="resp_1"))
    core.receive_frame(created("resp_1", "del_1"))
    core.receive_frame(call_done("c1", "lookup", delegation_id="del_1"))
    core.receive_frame(completed("resp_1", "del_1"))
    out = core.call_finished("c1", "one")
    assert kinds(core, out) == ["response.item.create:function_call_output", "response.create"]
    return core


def test_its_call_waits_for_its_own_end() -> None:
    core = _first_turn_answered()
    core.receive_frame(delegated("del_2"))  # no response id
    core.receive_frame(call_added("c2", "lookup", "del_2"))
    starts = _starts(core.receive_frame(call_done("c2", "lookup", delegation_id="del_2")))
    assert [s.call_id for s in starts] == ["c2"]
    assert starts[0].response_id != "resp_1"  # never the response created last
    out = core.call_finished("c2", "two")
    # Its response is still under way: its output goes, its batch is asked for at its end.
    assert kinds(core, out) == ["response.item.create:function_call_output"]
    end = core.receive_frame(completed("resp_2", "del_2", output=[call_item("c2", "lookup")]))
    assert _starts(end) == []  # the call its end lists is the one that ran: not again
    assert kinds(core, end) == ["response.create"]


def test_an_end_with_no_event_before_it_is_its_response() -> None:
    core = _first_turn_answered()
    core.receive_frame(delegated("del_2"))
    end = core.receive_frame(completed("resp_2", "del_2", output=[call_item("c2", "lookup")]))
    assert [s.call_id for s in _starts(end)] == ["c2"]
    out = core.call_finished("c2", "two")
    assert kinds(core, out) == ["response.item.create:function_call_output", "response.create"]


def test_its_response_created_when_it_comes_names_it() -> None:
    core = _first_turn_answered()
    core.receive_frame(delegated("del_2"))
    core.receive_frame(created("resp_2", "del_2"))
    starts = _starts(core.receive_frame(call_done("c2", "lookup", delegation_id="del_2")))
    assert [(s.call_id, s.response_id) for s in starts] == [("c2", "resp_2")]
    core.call_finished("c2", "two")
    end = core.receive_frame(completed("resp_2", "del_2", output=[call_item("c2", "lookup")]))
    assert kinds(core, end) == ["response.create"]
