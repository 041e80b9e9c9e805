"""The orchestrator's rules, sans I/O: plain calls in, decisions out (no wire, no clock).

What these pin is what a session owes the model, exactly once: a call started once per call
id, an output and an approval answer sent once, one request for a response per batch and
never two in flight, what a dropped connection leaves owed, and what a refusal gives up.
"""

from __future__ import annotations

from itertools import count
from typing import Any

import pytest

from rtagents import protocol as p
from rtagents.session.actions import (
    AskResponse,
    CancelResponse,
    Emit,
    RequestFailed,
    SendAnswer,
    SendOutput,
    StartApproval,
    StartCall,
    StartTimer,
    ToolTraits,
)
from rtagents.session.events import SessionWarning
from rtagents.session.journal import Journal
from rtagents.session.journal_items import output_item_id
from rtagents.session.orchestrator import UNSEEN_WAIT_S, Orchestrator
from rtagents.session.states import Connection, Link, LinkEffect, LinkInput

TRAITS = {"fast": ToolTraits(), "quiet": ToolTraits(trigger_response=False)}
PARAMS = {"instructions": "say hello"}  # the app's own request, opaque to the orchestrator
BUSY = "conversation_already_has_active_response"


def orchestrator(journal: Journal | None = None) -> Orchestrator:
    """An orchestrator whose refs are e1, e2, ... in the order it makes them."""
    refs = count(1)
    return Orchestrator(
        lambda name, response_id: TRAITS.get(name), lambda: f"e{next(refs)}", journal
    )


def request(request_id: str = "apr_1") -> p.McpApprovalRequest:
    return p.McpApprovalRequest(id=request_id, arguments="{}", name="delete", server_label="docs")


def respond(o: Orchestrator, rid: str, *calls: str) -> list[Any]:
    """Response ``rid`` runs in the conversation, asks for ``calls`` (``name:call_id``) and
    ends; what the orchestrator decided along the way."""
    o.response_started(rid, in_conversation=True)
    decided: list[Any] = []
    for call in calls:
        name, _, call_id = call.partition(":")
        decided += o.call_arrived(call_id, name, "{}", rid, f"item_{call_id}")
    return decided + o.response_ended(rid)


def reconnect(o: Orchestrator) -> list[Any]:
    """The connection drops, a new one is configured and given the conversation back."""
    assert o.link_event(LinkInput.DROPPED) == (LinkEffect.FORGET,)
    o.link_event(LinkInput.REOPENED)
    return o.owed()


def output(call_id: str, ref: str, text: str, work_id: str | None = None) -> SendOutput:
    return SendOutput(ref, call_id, output_item_id(work_id or call_id), text)


# -- one request for a response at a time -------------------------------------------------------


def test_a_refusal_of_something_else_leaves_our_request_in_flight() -> None:
    """Only a refusal naming our ``response.create`` ends it. A refused output is reported and
    no longer waited for, but the request in flight still holds back a second one."""
    o = orchestrator()
    respond(o, "r1", "fast:c1", "fast:c2")
    assert o.call_finished("c1", "one") == [output("c1", "e1", "one")]
    assert o.call_finished("c2", "two") == [
        output("c2", "e2", "two"),
        AskResponse("e3", None, ("c1", "c2")),
    ]
    warning = SessionWarning("the output for c1 was rejected: too long", {"code": "big"})
    assert o.refused("e1", message="too long", code="big") == [Emit(warning)]
    assert o.refused(None, message="busy", code=BUSY) == []  # names nothing of ours
    assert o.waiting
    assert o.output_confirmed("c2") == []  # the request is still in flight: nothing more


def test_a_rejected_output_is_not_waited_for() -> None:
    """An output the server refused will not be answered: the batch's request goes without it
    (waiting for it would hold the turn forever)."""
    o = orchestrator()
    respond(o, "r1", "fast:c1", "fast:c2")
    o.call_finished("c1", "one")
    assert len(o.refused("e1", message="no", code=None)) == 1
    assert o.call_finished("c2", "two") == [
        output("c2", "e2", "two"),
        AskResponse("e3", None, ("c2",)),
    ]


def test_a_rejected_approval_answer_is_reported() -> None:
    """The answer to a hosted approval request is an output like a call's: refused, it is
    reported by its request id."""
    o = orchestrator()
    o.response_started("r1", in_conversation=True)
    o.approval_arrived(request(), "r1")
    o.response_ended("r1")
    o.approval_decided("apr_1", True, None)
    warning = SessionWarning("the output for apr_1 was rejected: gone", {"code": None})
    assert o.refused("e1", message="gone", code=None) == [Emit(warning)]


def wait(ref: str) -> list[StartTimer]:
    """The wait after the busy refusal of ``ref``: its own key."""
    return [StartTimer(f"unseen:{ref}", UNSEEN_WAIT_S)]


def refused_as_busy() -> Orchestrator:
    """A batch answered (``c1``), whose request (``e2``) was refused as busy by a response
    never seen here (begun before this connection): it waits."""
    o = orchestrator()
    respond(o, "r1", "fast:c1")
    o.call_finished("c1", "one")
    o.output_confirmed("c1")
    assert o.refused("e2", message="busy", code=BUSY) == wait("e2")
    return o


@pytest.mark.parametrize("ends", ["by its end", "by the wait"])
def test_our_request_refused_as_busy_gives_up_nothing_and_goes_again_later(ends: str) -> None:
    """A ``response.create`` refused because a response is active is not given up: the
    outputs still wait. That response was never seen here (it began before this connection):
    asking again at once would be refused again as long as it runs, so the request goes
    again when a response ends here, or after a wait (its end may never come here)."""
    o = refused_as_busy()
    assert o.waiting and o.call_finished("c1", "again") == []
    again = o.response_ended("r_unseen") if ends == "by its end" else o.timer_fired("unseen:e2")
    assert again == [AskResponse("e3", None, ("c1",))]
    assert o.timer_fired("unseen:e2") == []  # (a wait that fires after the end does nothing)


def test_a_late_wait_leaves_a_response_seen_since_active() -> None:
    """The wait after a busy refusal fires after the unseen response ended and another began:
    that one is still active, and nothing is asked over it."""
    o = refused_as_busy()
    assert o.response_ended("r_unseen") == [AskResponse("e3", None, ("c1",))]
    o.response_started("r2", in_conversation=True)
    assert o.timer_fired("unseen:e2") == [] and o.active == "r2"


def test_an_earlier_wait_does_not_end_a_later_one() -> None:
    """Refused as busy, asked again at the unseen response's end, refused as busy again
    (another response begun before this connection): the first refusal's wait, firing
    now, does not cut the second's short (that would ask again at once, to be refused)."""
    o = refused_as_busy()
    assert o.response_ended("r_unseen") == [AskResponse("e3", None, ("c1",))]
    assert o.refused("e3", message="busy", code=BUSY) == wait("e3")
    assert o.timer_fired("unseen:e2") == [] and o.waiting
    assert o.timer_fired("unseen:e3") == [AskResponse("e4", None, ("c1",))]


def test_the_apps_request_refused_as_busy_is_sent_again_and_otherwise_given_up() -> None:
    """The app's own request: refused as busy, it is held and sent again (with its own
    parameters); refused for another reason, it fails once, and is never sent again."""
    o = orchestrator()
    assert o.app_asked(PARAMS) == [AskResponse("e1", PARAMS)]
    assert o.refused("e1", message="busy", code=BUSY) == wait("e1")
    assert o.timer_fired("unseen:e1") == [AskResponse("e2", PARAMS)]
    assert o.refused("e2", message="bad", code="invalid_value") == [
        RequestFailed("bad", "invalid_value")
    ]
    assert respond(o, "r1") == []


def test_a_response_is_counted_and_only_the_active_ones_end_frees_the_turn() -> None:
    """An out-of-band response ending does not end the one active in the conversation: the
    app's request waits for that one."""
    o = orchestrator()
    assert o.responses_done == 0
    o.response_started("r1", in_conversation=True)
    assert o.app_asked(PARAMS) == []  # r1 is active
    o.response_started("r_oob", in_conversation=False)
    assert o.response_ended("r_oob") == []
    assert o.active is not None
    assert o.response_ended("r1") == [AskResponse("e1", PARAMS)]
    assert o.responses_done == 2


# -- calls: started once, answered once ---------------------------------------------------------


def test_a_calls_output_goes_out_once() -> None:
    """Each call's output is sent once, with a fresh ref and the output's stable item id; a
    quiet call (``trigger_response=False``) asks for no turn."""
    o = orchestrator()
    respond(o, "r1", "quiet:q1")
    assert o.call_finished("q1", "logged") == [output("q1", "e1", "logged")]
    respond(o, "r2", "fast:c1")
    assert o.call_finished("c1", "one") == [
        output("c1", "e2", "one"),
        AskResponse("e3", None, ("c1",)),
    ]
    assert o.call_finished("c1", "again") == []  # its output went out already
    assert o.call_finished("unknown", "x") == []


def test_a_call_is_journaled_as_it_starts() -> None:
    """A call goes in the journal when it starts (its response may never finish), with its
    own item id: a replay gives it back as the server had it."""
    o = orchestrator()
    o.call_arrived("c1", "fast", '{"n": 1}', "r1", "item_9")
    [call] = o.journal.items()
    assert (call.id, call.call_id, call.name, call.arguments) == (
        "item_9",
        "c1",
        "fast",
        '{"n": 1}',
    )


def test_a_call_id_reused_by_a_later_response_is_answered_never_run() -> None:
    """A server reusing a call id in a later response gets a duplicate: answered (with an
    error) under its own work id, never run, and in its batch's one request like any call.
    Each reuse by another response is another duplicate; an announcement repeated by the
    same response is not."""
    o = orchestrator()
    respond(o, "r1", "fast:c1", "fast:c2")
    o.call_finished("c1", "one")  # e1
    o.call_finished("c2", "two")  # e2, and the request e3
    o.output_confirmed("c1")
    o.output_confirmed("c2")
    o.response_started("r2", in_conversation=True)
    first = StartCall("c1", "fast", '{"n": 2}', "r2", "item_x", duplicate=True)
    assert o.call_arrived("c1", "fast", '{"n": 2}', "r2", "item_x") == [first]
    assert o.call_arrived("c1", "fast", '{"n": 2}', "r2", "item_x") == []
    second = StartCall("c2", "fast", "{}", "r2", "item_z", duplicate=True)
    assert o.call_arrived("c2", "fast", "{}", "r2", "item_z") == [second]
    assert o.call_arrived("c5", "fast", "{}", "r2", "item_5") == [
        StartCall("c5", "fast", "{}", "r2", "item_5")
    ]
    assert o.response_ended("r2") == []
    # One request per batch: the duplicates' answers are still owed.
    assert o.call_finished("c5", "five") == [output("c5", "e4", "five")]
    assert o.call_finished(first.work_id, "reused") == [output("c1", "e5", "reused", first.work_id)]
    assert o.call_finished(second.work_id, "reused") == [
        output("c2", "e6", "reused", second.work_id),
        AskResponse("e7", None, ("c1#r2", "c2#r2", "c5")),
    ]
    assert o.output_confirmed("not_ours") == []
    assert o.output_confirmed("c1") == []  # the wire call id: it confirms the duplicate
    # r3 saw what the server had when it started: the first duplicate's output only. The
    # others came while it ran (the server adds our items in order, before our request's
    # response ends): the next response answers them.
    o.response_started("r3", in_conversation=True)
    assert o.output_confirmed("c2") == []
    assert o.output_confirmed("c5") == []
    assert o.response_ended("r3") == [AskResponse("e8", None, ("c2#r2", "c5"))]
    assert respond(o, "r4") == []
    assert o.call_arrived("c1", "fast", "{}", "r5", "item_y") == [
        StartCall("c1", "fast", "{}", "r5", "item_y", duplicate=True)
    ]


def test_a_call_announced_without_its_response_is_the_same_call() -> None:
    """A call id seen with no response id (or first seen so) is never taken for a reuse:
    nothing says it is another response's."""
    o = orchestrator()
    assert o.call_arrived("c1", "fast", "{}", "r1", "item_1") == [
        StartCall("c1", "fast", "{}", "r1", "item_1")
    ]
    assert o.call_arrived("c1", "fast", "{}", None, "item_1") == []
    assert o.call_arrived("c2", "fast", "{}", None, "item_2") == [
        StartCall("c2", "fast", "{}", None, "item_2")
    ]
    assert o.call_arrived("c2", "fast", "{}", "r2", "item_2") == []


def test_an_output_the_server_has_not_added_is_not_seen_by_a_response_that_starts() -> None:
    """A response that starts before the server has our output has not seen it: the output
    is still owed and goes in the batch's request."""
    o = orchestrator()
    respond(o, "r1", "fast:c1", "fast:c2")
    o.call_finished("c1", "one")
    assert respond(o, "r2") == []  # the user spoke; c1's output was not added yet
    assert o.call_finished("c2", "two") == [
        output("c2", "e2", "two"),
        AskResponse("e3", None, ("c1", "c2")),
    ]


# -- hosted approval requests -------------------------------------------------------------------


def test_an_approval_is_answered_once_and_its_answer_is_seen_by_the_next_response() -> None:
    """Each approval request is decided once, however often announced; its answer goes out
    once, and once the server has it, the response that follows has answered it."""
    o = orchestrator()
    o.response_started("r1", in_conversation=True)
    assert o.approval_arrived(request(), "r1") == [StartApproval(request(), "r1")]
    assert o.approval_arrived(request(), "r1") == []
    assert o.approval_arrived(request("apr_2"), "r1") == [StartApproval(request("apr_2"), "r1")]
    assert o.response_ended("r1") == []
    assert o.approval_decided("apr_1", False, "not now") == [
        SendAnswer("e1", "apr_1", False, "not now")
    ]
    assert o.approval_decided("apr_2", True, None) == [
        SendAnswer("e2", "apr_2", True, None),
        AskResponse("e3", None, ("apr_1", "apr_2")),
    ]
    assert o.approval_decided("apr_1", True, None) == []  # decided already
    assert o.approval_decided("apr_9", True, None) == []  # never asked
    assert o.answer_confirmed("apr_1") == []
    assert o.answer_confirmed("apr_2") == []
    assert respond(o, "r2") == []  # r2 answered both: not asked for again


# -- the app's own request ----------------------------------------------------------------------


@pytest.mark.parametrize("output", ["item", "call", "approval", "end"])
def test_the_apps_request_once_answered_is_not_sent_again_after_a_drop(output: str) -> None:
    """The app's request is kept until its response has output (an item, a call, an
    approval request, or its end): a drop after that must not ask a second time."""
    o = orchestrator()
    assert o.app_asked(PARAMS) == [AskResponse("e1", PARAMS)]
    o.response_started("r1", in_conversation=True)
    if output == "item":
        o.item_done("r1", answers=False)
    elif output == "call":
        o.call_arrived("q1", "quiet", "{}", "r1", "item_q1")
    elif output == "approval":
        o.approval_arrived(request(), "r1")
    else:
        o.response_ended("r1")
    assert reconnect(o) == []


def test_an_output_of_another_response_does_not_answer_the_apps_request() -> None:
    """Only output of the response that answers the app's request counts: it is sent again
    on the next connection when a drop takes that response first."""
    o = orchestrator()
    o.app_asked(PARAMS)
    o.response_started("r1", in_conversation=True)
    o.item_done("r_other", answers=True)
    assert reconnect(o) == [AskResponse("e2", PARAMS)]


# -- the connection ------------------------------------------------------------------------------


def test_a_drop_forgets_the_request_in_flight_and_the_next_connection_asks_again() -> None:
    """A drop ends every response and request of the connection: the outputs they had not
    answered are asked for once the new connection has the conversation back."""
    o = orchestrator()
    respond(o, "r1", "fast:c1")
    assert o.call_finished("c1", "one")[1] == AskResponse("e2", None, ("c1",))
    assert o.link_event(LinkInput.DROPPED) == (LinkEffect.FORGET,)
    assert not o.waiting
    assert o.link_event(LinkInput.REOPENED) == ()
    assert o.owed() == [AskResponse("e3", None, ("c1",))]
    assert o.owed() == []  # the connection is up: nothing more to replay


def test_the_apps_request_lost_with_the_connection_is_sent_after_the_replay() -> None:
    """The app's request sent on a connection that dropped goes again on the next one, once
    it has the conversation back (not before)."""
    o = orchestrator()
    o.app_asked(PARAMS)
    o.link_event(LinkInput.DROPPED)
    assert o.app_asked(PARAMS) == []  # offline: held
    o.link_event(LinkInput.REOPENED)
    assert o.owed() == [AskResponse("e2", PARAMS)]


@pytest.mark.parametrize("before_the_drop", ["sent", "added", "seen", "answered"])
def test_what_a_drop_leaves_owed(before_the_drop: str) -> None:
    """An output sent, added by the server, or seen by a response that had not answered
    yet is owed after a drop; one a finished answer followed is not."""
    o = orchestrator()
    respond(o, "r1", "fast:c1")
    o.call_finished("c1", "one")  # e1, and the request e2
    if before_the_drop != "sent":
        o.output_confirmed("c1")
    if before_the_drop in ("seen", "answered"):
        o.response_started("r2", in_conversation=True)
    if before_the_drop == "answered":
        o.item_done("r2", answers=True)
    owed = [] if before_the_drop == "answered" else [AskResponse("e3", None, ("c1",))]
    assert reconnect(o) == owed


def test_a_call_of_a_response_cut_off_by_a_drop_is_answered_after_the_replay() -> None:
    """A response the drop ended has no ``response.done``: its calls' outputs are still
    asked for, on the next connection."""
    o = orchestrator()
    o.response_started("r1", in_conversation=True)
    o.call_arrived("c1", "fast", "{}", "r1", "item_c1")
    o.link_event(LinkInput.DROPPED)
    assert o.call_finished("c1", "one") == [output("c1", "e1", "one")]  # held by the runner
    o.link_event(LinkInput.REOPENED)
    assert o.owed() == [AskResponse("e2", None, ("c1",))]


def test_a_quiet_calls_output_is_never_owed_even_after_a_drop() -> None:
    """A call that wants no reply is never asked for, whatever response saw its output."""
    o = orchestrator()
    respond(o, "r1", "quiet:q1")
    o.call_finished("q1", "logged")
    o.output_confirmed("q1")
    o.response_started("r2", in_conversation=True)
    assert reconnect(o) == []


def test_the_app_hears_once_a_connection_that_the_journal_let_go_of_waiting_calls() -> None:
    """Calls still waiting that the journal let go (past its bound) are told once per
    connection, with the count so far; nothing is told when nothing new was let go."""
    journal = Journal(max_items=2)
    o = orchestrator(journal)
    assert o.journal is journal
    assert journal.news() is None
    o.response_started("r1", in_conversation=True)
    for n in range(3):
        o.call_arrived(f"c{n}", "fast", "{}", "r1", f"item_{n}")
    assert journal.forgotten == 1

    def told(forgotten: int) -> SessionWarning:
        message = (
            f"{forgotten} calls still waiting for their outputs went past the journal's bound "
            "(2 items): the live session still answers them, but after a reconnect they will "
            "not be given back"
        )
        return SessionWarning(message, {"forgotten": forgotten, "max_items": 2})

    assert journal.news() == told(1)
    assert journal.news() is None
    o.call_arrived("c3", "fast", "{}", "r1", "item_3")
    assert journal.news() is None  # told on this connection already
    o.link_event(LinkInput.DROPPED)
    assert journal.news() is None  # nothing new since
    o.link_event(LinkInput.REOPENED)
    o.owed()
    o.call_arrived("c4", "fast", "{}", "r2", "item_4")
    assert journal.news() == told(3)


def test_an_orchestrator_has_a_journal_of_its_own_unless_given_one() -> None:
    assert isinstance(orchestrator().journal, Journal)


# -- the connection's state ----------------------------------------------------------------------


def test_a_new_connection_is_online_unplanned_and_open() -> None:
    """What the runner and the reconnect step read before anything happened."""
    link = Connection()
    assert (link.state, link.epoch, link.planned, link.closed_reason, link.dropped) == (
        Link.ONLINE,
        0,
        False,
        None,
        False,
    )


def test_each_replay_begins_a_new_epoch() -> None:
    """A send held through a replay knows its connection by the epoch: each new connection
    has its own."""
    link = Connection()
    for epoch in (1, 2, 3):
        link.apply(LinkInput.DROPPED)
        link.apply(LinkInput.REOPENED)
        link.apply(LinkInput.REPLAYED)
        assert (link.epoch, link.current(epoch), link.current(epoch - 1)) == (epoch, True, False)


def test_an_out_of_band_response_does_not_free_our_request_in_flight() -> None:
    """A response outside the conversation (``conversation: "none"``) that starts and ends
    while our ``response.create`` for a batch is unanswered is not its answer: the batch is
    asked for once, not again when that response ends."""
    o = orchestrator()
    respond(o, "r1", "fast:c1")
    assert o.call_finished("c1", "one") == [
        output("c1", "e1", "one"),
        AskResponse("e2", None, ("c1",)),
    ]
    o.output_confirmed("c1")
    o.response_started("r_oob", in_conversation=False)
    assert o.response_ended("r_oob") == []  # still ours in flight: nothing asked again
    o.response_started("r2", in_conversation=True)  # the answer to our request
    assert o.response_ended("r2") == []


# -- the user takes the turn while our request is on its way ------------------------------------


def test_the_answer_to_a_request_the_user_interrupted_is_cancelled_as_it_begins() -> None:
    """The user takes the turn (a barge-in) after our request for the batch's answer went
    and before that answer began: the answer would talk over them, so it is cancelled as it
    begins (with a ref of its own). A response that begins after it is not, nor is the
    answer to a request made after the barge-in."""
    o = orchestrator()
    respond(o, "r1", "fast:c1")
    assert o.call_finished("c1", "one") == [
        output("c1", "e1", "one"),
        AskResponse("e2", None, ("c1",)),
    ]
    assert o.barge_in("the user interrupted") == []
    assert o.response_started("r2", in_conversation=True) == [CancelResponse("e3", "r2")]
    o.response_ended("r2")
    assert o.response_started("r3", in_conversation=True) == []  # the user's own turn's


def test_a_barge_in_with_no_request_on_its_way_cancels_nothing_later() -> None:
    o = orchestrator()
    respond(o, "r1", "fast:c1")
    assert o.barge_in("the user interrupted") == []  # c1 still runs: nothing asked yet
    o.call_finished("c1", "one")  # asked now, after the barge-in: its answer is wanted
    assert o.response_started("r2", in_conversation=True) == []


def test_a_barge_in_while_a_response_speaks_is_not_for_the_next_one() -> None:
    """With a response active, the barge-in is that response's (the server or the app cancel
    it); a request of ours made meanwhile is answered as it should be."""
    o = orchestrator()
    o.response_started("r0", in_conversation=True)
    assert o.barge_in("the user interrupted") == []
    o.response_ended("r0")
    assert o.response_started("r1", in_conversation=True) == []


def test_a_drop_forgets_the_interrupted_request() -> None:
    o = orchestrator()
    respond(o, "r1", "fast:c1")
    o.call_finished("c1", "one")
    o.barge_in("the user interrupted")
    reconnect(o)
    assert o.response_started("r2", in_conversation=True) == []
