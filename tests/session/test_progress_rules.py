"""The rules of spoken asides while tools run, sans I/O: a tool's progress updates and a
batch's filler (see ``session/fillers.py``). Plain calls in, decisions out.

What these pin: an aside is an out-of-band request that is never the batch's answer (the
batch still gets exactly one request for a response), it never goes while a response is
active or a request of ours is unanswered, it waits in a queue of one (the latest update
wins, an update whose call finished first is dropped), a batch gets at most one filler, and
the batch's own request waits while our aside is asked for or speaking, but not for ever:
an aside the server never answers is given up by its own timer.
"""

from __future__ import annotations

from itertools import count
from typing import Any

from rtagents.session.actions import (
    AskResponse,
    CancelResponse,
    Emit,
    SayAside,
    SendOutput,
    StartTimer,
    ToolTraits,
)
from rtagents.session.events import ProgressDropped, SessionWarning
from rtagents.session.fillers import DEFAULT_FILLER_INSTRUCTIONS
from rtagents.session.journal_items import output_item_id
from rtagents.session.orchestrator import Orchestrator
from rtagents.session.states import LinkEffect, LinkInput

CUT = "the call finished while it was asked for or spoken: cut off"
TRAITS = {"slow": ToolTraits(), "quiet": ToolTraits(trigger_response=False)}


def orchestrator(filler_after_ms: int | None = None) -> Orchestrator:
    """An orchestrator whose refs are e1, e2, ... in the order it makes them."""
    refs = count(1)
    o = Orchestrator(lambda name, response_id: TRAITS.get(name), lambda: f"e{next(refs)}")
    o.fillers.configure(filler_after_ms, None)
    return o


def respond(o: Orchestrator, rid: str, *calls: str) -> list[Any]:
    """Response ``rid`` runs in the conversation, asks for ``calls`` (``name:call_id``) and
    ends; what the orchestrator decided along the way."""
    o.response_started(rid, in_conversation=True)
    decided: list[Any] = []
    for call in calls:
        name, _, call_id = call.partition(":")
        decided += o.call_arrived(call_id, name, "{}", rid, f"item_{call_id}")
    return decided + o.response_ended(rid)


def asides(decisions: list[Any]) -> list[SayAside]:
    return [d for d in decisions if isinstance(d, SayAside)]


def output(call_id: str, ref: str, text: str) -> SendOutput:
    return SendOutput(ref, call_id, output_item_id(call_id), text)


# -- progress --------------------------------------------------------------------------------


def test_progress_of_a_running_call_is_asked_for_at_once_when_nothing_is_active() -> None:
    """With no response active and nothing of ours in flight, a running call's update goes
    now: one out-of-band aside, with the update in its instructions."""
    o = orchestrator()
    respond(o, "r1", "slow:c1")
    [aside] = asides(o.progress("c1", "checking the calendar"))
    assert isinstance(aside, SayAside)
    assert (aside.ref, aside.kind, aside.call_ids, aside.text) == (
        "e1",
        "progress",
        ("c1",),
        "checking the calendar",
    )
    assert "checking the calendar" in aside.instructions


def test_progress_while_a_response_is_active_waits_for_its_end() -> None:
    """A call starts while its response still speaks: its update waits, and goes when that
    response is done (the call is still running)."""
    o = orchestrator()
    o.response_started("r1", in_conversation=True)
    o.call_arrived("c1", "slow", "{}", "r1", "item_c1")
    assert o.progress("c1", "checking the calendar") == []
    [aside] = asides(o.response_ended("r1"))
    assert aside.text == "checking the calendar"


def test_progress_waits_while_our_request_for_a_response_is_unanswered() -> None:
    """Our ``response.create`` for another batch is in flight: the update waits until that
    response has started and ended."""
    o = orchestrator()
    respond(o, "r1", "slow:c1")
    respond(o, "r2", "slow:c2")
    assert o.call_finished("c1", "one") == [
        output("c1", "e1", "one"),
        AskResponse("e2", None, ("c1",)),
    ]
    o.output_confirmed("c1")  # the server has it (conversation.item.added)
    assert o.progress("c2", "still looking") == []  # our request is unanswered
    o.response_started("r3", in_conversation=True)  # its answer, speaking
    [aside] = asides(o.response_ended("r3"))
    assert (aside.ref, aside.call_ids, aside.text) == ("e3", ("c2",), "still looking")


def test_progress_waits_while_another_out_of_band_response_is_active() -> None:
    """An out-of-band response of the app's is speaking: ours does not talk over it."""
    o = orchestrator()
    respond(o, "r1", "slow:c1")
    o.response_started("r_app", in_conversation=False)
    assert o.progress("c1", "nearly there") == []
    [aside] = asides(o.response_ended("r_app"))
    assert aside.text == "nearly there"


def test_several_queued_updates_speak_only_the_latest() -> None:
    """Updates queued while a response is active: only the latest is spoken, each one it
    replaced is reported as dropped."""
    o = orchestrator()
    o.response_started("r1", in_conversation=True)
    o.call_arrived("c1", "slow", "{}", "r1", "item_c1")
    assert o.progress("c1", "one") == []
    assert o.progress("c1", "two") == [
        Emit(ProgressDropped("c1", "one", "a later update replaced it"))
    ]
    assert o.progress("c1", "three") == [
        Emit(ProgressDropped("c1", "two", "a later update replaced it"))
    ]
    assert [a.text for a in asides(o.response_ended("r1"))] == ["three"]


def test_an_update_being_spoken_when_its_call_finishes_is_cancelled() -> None:
    """Our update of a call is speaking when the call finishes: it is out of date (the
    answer says more), so its response is cancelled, and the batch's request, which waits
    for its end, goes as soon as it is over."""
    o = orchestrator()
    respond(o, "r1", "slow:c1")
    [aside] = asides(o.progress("c1", "checking"))
    assert o.response_started("a1", in_conversation=False, aside=True) == []
    assert o.call_finished("c1", "done") == [
        CancelResponse("e2", "a1"),
        Emit(ProgressDropped("c1", "checking", CUT)),
        output("c1", "e3", "done"),
    ]
    assert o.response_ended("a1") == [AskResponse("e4", None, ("c1",))]


def test_an_update_asked_for_when_its_call_finishes_is_cancelled_as_it_starts() -> None:
    o = orchestrator()
    respond(o, "r1", "slow:c1")
    assert asides(o.progress("c1", "checking"))
    assert o.call_finished("c1", "done") == [output("c1", "e2", "done")]  # nothing to name
    assert o.response_started("a1", in_conversation=False, aside=True) == [
        CancelResponse("e3", "a1"),  # cancelled as it starts, and reported then
        Emit(ProgressDropped("c1", "checking", CUT)),
    ]
    assert o.response_ended("a1") == [AskResponse("e4", None, ("c1",))]


def test_only_the_update_of_the_call_that_finished_is_cancelled() -> None:
    o = orchestrator()
    respond(o, "r1", "slow:c1", "slow:c2")
    assert asides(o.progress("c1", "checking"))
    o.response_started("a1", in_conversation=False, aside=True)
    assert o.call_finished("c2", "two") == [output("c2", "e2", "two")]  # c1's goes on
    o.response_ended("a1")
    # Its update over, c1's end cancels nothing; nor does an update given up unanswered.
    assert o.call_finished("c1", "one") == [
        output("c1", "e3", "one"),
        AskResponse("e4", None, ("c1", "c2")),
    ]
    respond(o, "r2", "slow:c3")
    [aside] = asides(o.progress("c3", "looking"))
    assert o.timer_fired("aside:" + aside.ref)  # never answered: given up
    o.call_finished("c3", "three")
    assert o.response_started("a2", in_conversation=False, aside=True) == []


def test_an_update_whose_call_finished_first_is_dropped() -> None:
    """The call finished before its update could be spoken: the update is dropped (the
    answer says more), and the batch asks for its one response."""
    o = orchestrator()
    o.response_started("r1", in_conversation=True)
    o.call_arrived("c1", "slow", "{}", "r1", "item_c1")
    assert o.progress("c1", "checking") == []
    assert o.call_finished("c1", "done") == [
        Emit(ProgressDropped("c1", "checking", "the call finished first")),
        output("c1", "e1", "done"),
    ]
    assert o.response_ended("r1") == [AskResponse("e2", None, ("c1",))]


def test_progress_of_a_call_not_running_is_ignored() -> None:
    o = orchestrator()
    respond(o, "r1", "slow:c1")
    o.call_finished("c1", "done")
    assert o.progress("c1", "late news") == []
    assert o.progress("nobody", "who?") == []


def test_our_aside_is_never_the_batchs_answer_and_holds_the_batchs_request() -> None:
    """Our aside starts (out of band) and the call finishes while it speaks: the batch's
    request waits for the aside's end, then goes once; the aside's start and end neither
    answer the batch nor ask for it a second time."""
    o = orchestrator()
    respond(o, "r1", "slow:c1")
    assert [a.ref for a in asides(o.progress("c1", "checking"))] == ["e1"]
    assert o.progress("c1", "still checking") == []  # ours is in flight: queued
    assert o.call_finished("c1", "done") == [
        Emit(ProgressDropped("c1", "still checking", "the call finished first")),
        output("c1", "e2", "done"),
    ]
    # (our aside is asked for: the batch's request waits; the update, out of date, is
    # cancelled as it starts)
    started = o.response_started("r_aside", in_conversation=False, aside=True)
    assert started == [
        CancelResponse("e3", "r_aside"),
        Emit(ProgressDropped("c1", "checking", CUT)),
    ]
    assert not o.waiting  # no response in the conversation, no request of ours for one
    assert o.output_confirmed("c1") == []  # the aside speaks: still waiting
    assert o.response_ended("r_aside") == [AskResponse("e4", None, ("c1",))]
    o.response_started("r2", in_conversation=True)
    assert o.response_ended("r2") == []  # answered once


def test_an_aside_does_not_free_our_request_in_flight() -> None:
    """Commit 346c5de, for our own asides: out-of-band responses (the app's, ours) that
    start and end while the batch's request is unanswered do not make it ask again."""
    o = orchestrator()
    o.response_started("r_app", in_conversation=False)
    respond(o, "r1", "slow:c1", "slow:c2")
    assert o.progress("c2", "checking") == []  # r_app still speaks
    assert o.call_finished("c1", "one") == [output("c1", "e1", "one")]  # c2 runs
    assert [a.ref for a in asides(o.response_ended("r_app"))] == ["e2"]
    o.response_started("r_aside", in_conversation=False, aside=True)
    assert o.response_ended("r_aside") == []  # c2 still runs: nothing owed
    assert o.call_finished("c2", "two") == [
        output("c2", "e3", "two"),
        AskResponse("e4", None, ("c1", "c2")),
    ]
    o.output_confirmed("c1")
    o.output_confirmed("c2")
    o.response_started("r_app2", in_conversation=False)
    assert o.response_ended("r_app2") == []  # not our answer: no second request
    o.response_started("r_aside2", in_conversation=False, aside=True)  # a stray of ours
    assert o.response_ended("r_aside2") == []
    o.response_started("r2", in_conversation=True)
    assert o.response_ended("r2") == []


def test_a_refused_aside_is_dropped_with_a_warning_and_frees_the_batch() -> None:
    o = orchestrator()
    respond(o, "r1", "slow:c1")
    [aside] = asides(o.progress("c1", "checking"))
    warning = SessionWarning("a spoken aside was refused: bad voice", {"code": "invalid_value"})
    assert o.refused(aside.ref, message="bad voice", code="invalid_value") == [Emit(warning)]
    assert o.call_finished("c1", "done") == [
        output("c1", "e2", "done"),
        AskResponse("e3", None, ("c1",)),
    ]


def test_a_drop_forgets_asides() -> None:
    """A dropped connection ends every response on it, ours too: the batch's request is not
    held by an aside the old connection took with it."""
    o = orchestrator()
    respond(o, "r1", "slow:c1")
    assert asides(o.progress("c1", "checking"))  # e1, in flight
    assert o.link_event(LinkInput.DROPPED) == (LinkEffect.FORGET,)
    o.link_event(LinkInput.REOPENED)
    assert o.owed() == []
    assert o.call_finished("c1", "one") == [
        output("c1", "e2", "one"),
        AskResponse("e3", None, ("c1",)),
    ]


def test_an_update_made_while_offline_is_spoken_once_the_conversation_is_back() -> None:
    o = orchestrator()
    respond(o, "r1", "slow:c1")
    o.link_event(LinkInput.DROPPED)
    assert o.progress("c1", "still here") == []
    o.link_event(LinkInput.REOPENED)
    assert o.progress("c1", "still here!") == [
        Emit(ProgressDropped("c1", "still here", "a later update replaced it"))
    ]
    [aside] = asides(o.owed())
    assert isinstance(aside, SayAside) and aside.text == "still here!"


# -- the filler ------------------------------------------------------------------------------


def test_a_batch_with_calls_running_arms_one_timer_from_its_response_done() -> None:
    """The filler's clock starts when the batch's response is done (the silence begins
    there); a batch with nothing left running arms none, and no setting arms nothing."""
    o = orchestrator(filler_after_ms=800)
    assert respond(o, "r1", "slow:c1")[-1] == StartTimer("filler:r1", 0.8)
    assert [d for d in respond(o, "r2") if isinstance(d, StartTimer)] == []
    assert [d for d in respond(o, "r3", "quiet:q1") if isinstance(d, StartTimer)] == []
    plain = orchestrator()
    assert [d for d in respond(plain, "r1", "slow:c1") if isinstance(d, StartTimer)] == []


def test_a_due_filler_is_asked_for_once_with_the_apps_instructions() -> None:
    o = orchestrator(filler_after_ms=800)
    o.fillers.configure(800, "Say: one moment.")
    respond(o, "r1", "slow:c1", "slow:c2")
    [aside] = asides(o.timer_fired("filler:r1"))
    assert (aside.kind, aside.call_ids, aside.instructions) == (
        "filler",
        ("c1", "c2"),
        "Say: one moment.",
    )
    assert o.timer_fired("filler:r1") == []  # one per batch
    o.response_started("r_filler", in_conversation=False, aside=True)
    o.response_ended("r_filler")
    assert o.timer_fired("filler:r1") == []  # still one, with nothing in the way now
    default = orchestrator(filler_after_ms=800)
    respond(default, "r1", "slow:c1")
    assert asides(default.timer_fired("filler:r1"))[0].instructions == DEFAULT_FILLER_INSTRUCTIONS


def test_no_filler_when_the_batch_finished_or_a_response_is_active() -> None:
    """Due once every call has its output: nothing. Due while a response is active: it waits
    for that response's end, and goes then only if a call still runs."""
    o = orchestrator(filler_after_ms=800)
    respond(o, "r1", "slow:c1")
    assert o.call_finished("c1", "done")[-1] == AskResponse("e2", None, ("c1",))
    o.output_confirmed("c1")
    assert o.timer_fired("filler:r1") == []
    respond(o, "r2", "slow:c2")  # the answer to it calls again
    o.response_started("r_user", in_conversation=True)  # the user spoke meanwhile
    assert o.timer_fired("filler:r2") == []
    [filler] = asides(o.response_ended("r_user"))
    assert (filler.kind, filler.call_ids) == ("filler", ("c2",))
    o.response_started("r_filler", in_conversation=False, aside=True)
    o.response_ended("r_filler")
    respond(o, "r3", "slow:c3")
    o.response_started("r_user2", in_conversation=True)
    assert o.timer_fired("filler:r3") == []
    o.call_finished("c3", "done")  # finished before its filler could go: none
    assert asides(o.response_ended("r_user2")) == []


def test_a_progress_update_stands_for_the_batchs_filler() -> None:
    """A call of the batch already said how it goes: no filler on top of it."""
    o = orchestrator(filler_after_ms=800)
    respond(o, "r1", "slow:c1")
    assert asides(o.progress("c1", "checking the calendar"))
    o.response_started("r_aside", in_conversation=False, aside=True)
    o.response_ended("r_aside")
    assert o.timer_fired("filler:r1") == []


def test_the_filler_is_never_the_batchs_answer() -> None:
    """A 3 s call with an 800 ms filler, as rules: one filler, then one request for the
    batch once the call is done and the filler has ended."""
    o = orchestrator(filler_after_ms=800)
    respond(o, "r1", "slow:c1")
    [filler] = asides(o.timer_fired("filler:r1"))
    o.response_started("r_filler", in_conversation=False, aside=True)
    assert o.call_finished("c1", "sunny") == [output("c1", "e2", "sunny")]  # it speaks
    assert o.output_confirmed("c1") == []  # still speaking: the batch waits
    assert o.response_ended("r_filler") == [AskResponse("e3", None, ("c1",))]
    o.response_started("r2", in_conversation=True)
    assert o.response_ended("r2") == []
    assert filler.ref == "e1"


def test_a_timer_of_an_unknown_kind_or_batch_is_ignored() -> None:
    o = orchestrator(filler_after_ms=800)
    assert o.timer_fired("filler:nobody") == []
    assert o.timer_fired("something:else") == []


# -- an aside the server never answers ------------------------------------------------------


def test_an_aside_the_server_never_answers_is_given_up_and_the_batch_goes_on() -> None:
    """Our aside's request is answered by nothing (no response.created, no error naming it):
    its own timer gives it up, and the batch's request, which waited for it, goes."""
    o = orchestrator()
    respond(o, "r1", "slow:c1")
    decided = o.progress("c1", "checking")
    [aside] = asides(decided)
    [timer] = [d for d in decided if isinstance(d, StartTimer)]
    assert timer.key == f"aside:{aside.ref}" and timer.delay_s > 0
    assert o.call_finished("c1", "done") == [output("c1", "e2", "done")]  # it waits
    assert o.output_confirmed("c1") == []
    [warning, ask] = o.timer_fired(timer.key)
    assert isinstance(warning, Emit) and isinstance(warning.event, SessionWarning)
    assert "aside" in warning.event.message and "no answer" in warning.event.message
    assert ask == AskResponse("e3", None, ("c1",))
    assert o.timer_fired(timer.key) == []  # once
    o.response_started("r2", in_conversation=True)
    assert o.response_ended("r2") == []  # answered once


def test_an_aside_answered_in_time_is_not_given_up() -> None:
    o = orchestrator()
    respond(o, "r1", "slow:c1")
    decided = o.progress("c1", "checking")
    [timer] = [d for d in decided if isinstance(d, StartTimer)]
    o.response_started("r_aside", in_conversation=False, aside=True)
    assert o.timer_fired(timer.key) == []  # it started: the timer has nothing to do
    assert o.call_finished("c1", "done") == [  # it speaks: cancelled, out of date
        CancelResponse("e2", "r_aside"),
        Emit(ProgressDropped("c1", "checking", CUT)),
        output("c1", "e3", "done"),
    ]
    assert o.response_ended("r_aside") == [AskResponse("e4", None, ("c1",))]


def test_an_aside_that_starts_after_it_was_given_up_asks_for_nothing_more() -> None:
    o = orchestrator()
    respond(o, "r1", "slow:c1")
    [timer] = [d for d in o.progress("c1", "checking") if isinstance(d, StartTimer)]
    o.call_finished("c1", "done")
    o.output_confirmed("c1")
    assert o.timer_fired(timer.key)[-1] == AskResponse("e3", None, ("c1",))
    o.response_started("r_late", in_conversation=False, aside=True)  # it came after all
    assert o.response_ended("r_late") == []  # the batch's request is in flight already
    o.response_started("r2", in_conversation=True)
    assert o.response_ended("r2") == []


def test_an_aside_started_without_an_id_does_not_hold_the_batch() -> None:
    """A response.created with no id can never be matched to its end: our aside's start
    frees its request, and the batch's answer does not wait for an end it cannot see."""
    o = orchestrator()
    respond(o, "r1", "slow:c1")
    assert asides(o.progress("c1", "checking"))
    o.response_started(None, in_conversation=False, aside=True)
    assert o.call_finished("c1", "done") == [
        output("c1", "e2", "done"),
        AskResponse("e3", None, ("c1",)),
    ]


def test_an_update_whose_response_starts_with_no_id_plays_on_and_is_not_reported_cut() -> None:
    o = orchestrator()
    respond(o, "r1", "slow:c1")
    assert asides(o.progress("c1", "checking"))
    assert o.call_finished("c1", "done") == [output("c1", "e2", "done")]
    # It cannot be cancelled without an id: it plays in full, and nothing says it was cut.
    assert o.response_started(None, in_conversation=False, aside=True) == []


def test_a_barge_in_stops_the_fillers_clock_of_the_calls_that_go_on() -> None:
    """The user took the turn while a call that is not cancelled by it runs on: its batch's
    filler, due later, would be spoken over the user (or just after, beside the answer to
    what they said). The barge-in stops that clock; a later batch arms its own."""
    o = orchestrator(filler_after_ms=800)
    respond(o, "r1", "slow:c1")
    assert not [d for d in o.barge_in("the user started speaking") if d.__class__ is not Emit]
    assert o.timer_fired("filler:r1") == []
    assert respond(o, "r2", "slow:c2")[-1] == StartTimer("filler:r2", 0.8)
    [filler] = asides(o.timer_fired("filler:r2"))
    assert filler.call_ids == ("c2",)
