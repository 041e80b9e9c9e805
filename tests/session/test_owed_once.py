"""An output is asked to be answered once per connection: when the response that answered
our request is over and the server never confirmed the output on this connection (it had it
already, refused it as a duplicate, or the journal could not give it back), it is given up,
with a warning. Before, every response's end asked for it again, without end."""

from __future__ import annotations

import json
from typing import Any

import pytest

from rtagents import protocol as p
from rtagents.session.actions import AskResponse, Emit, Send, ToolTraits
from rtagents.session.events import SessionWarning
from rtagents.session.orchestrator import Orchestrator
from rtagents.session.realtime import RealtimeCore
from rtagents.session.states import LinkInput

pytestmark = pytest.mark.anyio


def test_an_output_never_confirmed_after_a_reconnect_is_asked_for_once() -> None:
    o = Orchestrator(lambda name, response_id: ToolTraits(), "evt_")
    o.call_arrived("c1", "charge", "{}", "resp_1", "item_1")
    o.response_ended("resp_1")
    o.call_finished("c1", "charged")
    o.link_event(LinkInput.DROPPED)
    o.link_event(LinkInput.REOPENED)
    [ask] = [d for d in o.owed() if isinstance(d, AskResponse)]
    assert ask.call_ids == ("c1",)
    o.response_started("resp_2", in_conversation=True)  # c1 was never confirmed here
    ended = o.response_ended("resp_2")
    assert not [d for d in ended if isinstance(d, AskResponse)]
    [warning] = [d.event for d in ended if isinstance(d, Emit)]
    assert isinstance(warning, SessionWarning) and warning.detail == {"call_ids": ["c1"]}
    for n in range(3, 6):  # later responses ask for nothing more
        o.response_started(f"resp_{n}", in_conversation=True)
        assert not [d for d in o.response_ended(f"resp_{n}") if isinstance(d, AskResponse)]


def test_a_confirmed_output_is_answered_with_no_warning() -> None:
    o = Orchestrator(lambda name, response_id: ToolTraits(), "evt_")
    o.call_arrived("c1", "charge", "{}", "resp_1", "item_1")
    o.response_ended("resp_1")
    asks = [d for d in o.call_finished("c1", "charged") if isinstance(d, AskResponse)]
    assert [a.call_ids for a in asks] == [("c1",)]
    o.output_confirmed("c1")
    o.response_started("resp_2", in_conversation=True)
    assert o.response_ended("resp_2") == []


def test_an_output_confirmed_while_another_response_ran_is_still_asked_for() -> None:
    # A response the server made itself starts before our output reached it: the output is
    # confirmed while that response runs, and the next response answers it, as before.
    o = Orchestrator(lambda name, response_id: ToolTraits(), "evt_")
    o.call_arrived("c1", "charge", "{}", "resp_1", "item_1")
    o.response_ended("resp_1")
    assert [type(d).__name__ for d in o.call_finished("c1", "charged")][-1] == "AskResponse"
    o.response_started("resp_vad", in_conversation=True)
    o.output_confirmed("c1")
    ended = o.response_ended("resp_vad")
    assert not [d for d in ended if isinstance(d, Emit)]
    [ask] = [d for d in ended if isinstance(d, AskResponse)]
    assert ask.call_ids == ("c1",)


def test_an_output_given_up_then_confirmed_late_is_asked_for_again() -> None:
    # A response the server made itself ran and ended before our output reached it: the
    # output is given up at its end, then the server confirms it. It is owed again.
    o = Orchestrator(lambda name, response_id: ToolTraits(), "evt_")
    o.call_arrived("c1", "charge", "{}", "resp_1", "item_1")
    o.response_ended("resp_1")
    o.call_finished("c1", "charged")
    o.response_started("resp_vad", in_conversation=True)
    assert [type(d.event).__name__ for d in o.response_ended("resp_vad")] == ["SessionWarning"]
    [ask] = [d for d in o.output_confirmed("c1") if isinstance(d, AskResponse)]
    assert ask.call_ids == ("c1",)
    o.response_started("resp_2", in_conversation=True)
    assert o.response_ended("resp_2") == []  # answered: nothing more, no warning


def _realtime_round(core: Any, rid: str) -> list[Any]:
    """A response ``rid`` starts and ends on ``core``: the actions its end leads to."""
    response = {"id": rid, "object": "realtime.response", "status": "in_progress", "output": []}
    core.receive_frame(_frame("response.created", response=response))
    return list(
        core.receive_frame(_frame("response.done", response={**response, "status": "completed"}))
    )


def _frame(kind: str, **fields: Any) -> str:
    return json.dumps({"type": kind, "event_id": f"evt_{kind}", **fields})


def _sideband_output_sent() -> tuple[RealtimeCore, dict[str, Any]]:
    """A call's sideband: a response with call ``c1`` done, and our output for it sent (the
    item, as the server would add it)."""
    core = RealtimeCore(lambda name, response_id: ToolTraits(), sideband=True)
    core.receive_frame(_frame("session.created", session={"type": "realtime"}))
    item = {"id": "item_1", "type": "function_call", "status": "completed", "name": "charge"}
    item |= {"call_id": "c1", "arguments": "{}"}
    done = {"id": "resp_1", "object": "realtime.response", "status": "completed"}
    core.receive_frame(_frame("response.done", response=done | {"output": [item]}))
    added: dict[str, Any] = {}
    for action in core.call_finished("c1", "charged", cancelled=False):
        if isinstance(action, Send):
            core.sent(action.event)  # as the runner tells it of each send
            if action.event.type == "conversation.item.create":  # as the server reads it
                event = p.parse_client_event(core.encode(action.event))
                added = event.item.model_dump(exclude_none=True)
    return core, added


def test_a_sideband_output_replayed_after_a_drop_is_not_warned_of() -> None:
    """A call's sideband re-attaches to the same conversation: our output, sent before the
    drop but not yet confirmed, is sent again; the server has it either way (the copy is
    refused as a duplicate, with no confirmation), so it is answered once, with no warning
    that it was never confirmed."""
    core, _ = _sideband_output_sent()
    core.disconnected()  # before the server's conversation.item.added reached us
    replayed = [a.event.item.type for a in core.replay() if isinstance(a, Send)]
    assert replayed == ["function_call_output"]
    asks = [a for a in core.resumed() if isinstance(a, Send)]
    assert [a.event.type for a in asks] == ["response.create"]
    ended = _realtime_round(core, "resp_2")
    assert not [a for a in ended if isinstance(a, Emit) and isinstance(a.event, SessionWarning)]


def test_a_sideband_output_confirmed_before_the_drop_is_not_warned_of() -> None:
    """The server confirmed our output, a response that saw it started, then the sideband
    dropped. The re-attached conversation still has the output (it is not sent again): it
    is asked to be answered once more, with no warning that it was never confirmed."""
    core, added = _sideband_output_sent()
    core.receive_frame(_frame("conversation.item.added", item=added))
    started = {"id": "resp_2", "object": "realtime.response", "status": "in_progress"}
    core.receive_frame(_frame("response.created", response=started | {"output": []}))
    core.disconnected()  # before resp_2 ended: the output is owed again
    assert [a for a in core.replay() if isinstance(a, Send)] == []  # the server has it
    asks = [a for a in core.resumed() if isinstance(a, Send)]
    assert [a.event.type for a in asks] == ["response.create"]
    ended = _realtime_round(core, "resp_3")
    assert not [a for a in ended if isinstance(a, Emit) and isinstance(a.event, SessionWarning)]
    assert not [a for a in ended if isinstance(a, Send)]  # answered: not asked for again
