"""An input trip blocks the batches of its turn's answer, sans I/O (``Orchestrator.block``):
their calls still running are cancelled (answered once, as cancelled, as by a barge-in),
calls the answer announces later are cancelled as they start, and no response is asked for
those batches; every other batch goes on as usual."""

from __future__ import annotations

from itertools import count
from typing import Any

from rtagents.session.actions import AskResponse, CancelCall, SendOutput, StartCall, ToolTraits
from rtagents.session.journal_items import note_item_id, output_item_id
from rtagents.session.orchestrator import Orchestrator

TRAITS = {"fast": ToolTraits(), "quiet": ToolTraits(trigger_response=False)}
WHY = "a guardrail stopped the user's message"


def orchestrator() -> Orchestrator:
    refs = count(1)
    return Orchestrator(lambda name, response_id: TRAITS.get(name), lambda: f"e{next(refs)}")


def calls(o: Orchestrator, rid: str, *call_ids: str, end: bool = True) -> list[Any]:
    o.response_started(rid, in_conversation=True)
    decided: list[Any] = []
    for call_id in call_ids:
        decided += o.call_arrived(call_id, "fast", "{}", rid, f"item_{call_id}")
    return decided + (o.response_ended(rid) if end else [])


def asks(decided: list[Any]) -> list[AskResponse]:
    return [d for d in decided if isinstance(d, AskResponse)]


def test_a_block_cancels_the_calls_still_running_of_that_answer_only() -> None:
    o = orchestrator()
    calls(o, "r1", "c1", "c2")
    assert asks(o.call_finished("c1", "one")) == []  # c2 still runs
    assert o.block("r1", WHY) == [CancelCall("c2", WHY)]
    # c2 is answered once, as cancelled: its output goes, and no response is asked for the
    # batch (c1's output, sent before the trip, is not answered either).
    decided = o.call_finished("c2", "cancelled", cancelled=True)
    assert [type(d) for d in decided] == [SendOutput]
    assert o.call_finished("c2", "late") == []  # once


def test_other_batches_are_not_touched() -> None:
    o = orchestrator()
    calls(o, "r0", "c0")  # an earlier turn's call, still running
    calls(o, "r1", "c1")
    assert o.block("r1", WHY) == [CancelCall("c1", WHY)]
    o.call_finished("c1", "cancelled", cancelled=True)
    decided = o.call_finished("c0", "zero")
    assert asks(decided) == [AskResponse("e3", None, ("c0",))]


def test_a_call_the_blocked_answer_announces_later_is_cancelled_as_it_starts() -> None:
    o = orchestrator()
    o.response_started("r1", in_conversation=True)
    assert o.block("r1", WHY) == []  # the answer has called nothing yet
    decided = o.call_arrived("c1", "fast", "{}", "r1", "item_c1")
    assert decided == [StartCall("c1", "fast", "{}", "r1", "item_c1"), CancelCall("c1", WHY)]
    assert o.response_ended("r1") == []
    assert [type(d) for d in o.call_finished("c1", "x", cancelled=True)] == [SendOutput]
    # The block ended with its response: the next answer's calls run and are answered.
    assert calls(o, "r2", "c2") == [StartCall("c2", "fast", "{}", "r2", "item_c2")]
    assert asks(o.call_finished("c2", "two")) == [AskResponse("e3", None, ("c2",))]


def test_an_output_decided_before_the_block_and_sent_after_asks_nothing() -> None:
    # A call given up at its deadline is answered at once and its output sent from a task
    # of its own, not as cancelled: a block in between still keeps its batch unasked.
    o = orchestrator()
    calls(o, "r1", "c1")
    assert o.block("r1", WHY) == [CancelCall("c1", WHY)]
    assert [type(d) for d in o.call_finished("c1", "no result after 5 s")] == [SendOutput]


def test_outputs_sent_before_the_block_are_not_asked_for() -> None:
    o = orchestrator()
    calls(o, "r1", "c1", "c2", end=False)  # the answer still runs
    o.call_finished("c1", "one")
    o.call_finished("c2", "two")
    assert o.block("r1", WHY) == []
    assert o.response_ended("r1") == []  # nothing owed: no response.create
    assert asks(o.call_finished("c1", "again")) == []


def test_a_block_of_an_answer_over_and_done_keeps_nothing() -> None:
    o = orchestrator()
    calls(o, "r1", "c1")
    o.call_finished("c1", "one")  # asked for (e2)
    assert o.block("r1", WHY) == []
    assert o.block("r9", WHY) == []  # never seen here
    assert "r9" not in o.batches.batches


def test_a_quiet_call_is_cancelled_too() -> None:
    o = orchestrator()
    o.response_started("r1", in_conversation=True)
    o.call_arrived("q1", "quiet", "{}", "r1", "item_q1")
    o.response_ended("r1")
    assert o.block("r1", WHY) == [CancelCall("q1", WHY)]
    assert o.call_finished("q1", "x", cancelled=True) == [
        SendOutput("e1", "q1", output_item_id("q1"), "x")
    ]


def test_no_response_is_asked_for_what_the_answers_background_calls_told_already() -> None:
    # A background call of the answer was answered "started", and its result was told
    # (a message, a batch of its own) while the answer still spoke: the trip that stops
    # the answer stops that result's response too. Another turn's result still gets one.
    o = orchestrator()
    calls(o, "r0", "c0")
    o.call_finished("c0", "started")
    calls(o, "r1", "c1", end=False)
    o.call_finished("c1", "started")
    told = o.background_finished("c1", "system", "sent 5000", wants_reply=True)
    told += o.background_finished("c0", "system", "booked", wants_reply=True)
    assert asks(told) == []  # r1 is active: the results' response waits for its end
    o.block("r1", WHY)
    [ask] = asks(o.response_ended("r1"))
    assert ask.call_ids == (note_item_id("c0"),)
