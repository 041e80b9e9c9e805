"""The orchestrator's rules for background work, sans I/O: a background call's result is a
batch of its own. Its message is sent once (however often its end is reported), and one
request for a response follows it, never while a response is active or another request of
ours is in flight; a drop before a response answered it owes it again."""

from __future__ import annotations

from itertools import count
from typing import Any

from rtagents import protocol as p
from rtagents.session.actions import AskResponse, SendNote, SendOutput, ToolTraits
from rtagents.session.journal import Journal
from rtagents.session.journal_items import note_item_id, output_item_id
from rtagents.session.orchestrator import Orchestrator
from rtagents.session.states import LinkInput

TRAITS = {"slow": ToolTraits()}


def orchestrator() -> Orchestrator:
    refs = count(1)
    return Orchestrator(
        lambda name, response_id: TRAITS.get(name), lambda: f"e{next(refs)}", Journal()
    )


def started(o: Orchestrator, rid: str, call_id: str) -> list[Any]:
    """Response ``rid`` calls the background tool; its call is answered "started"."""
    o.response_started(rid, in_conversation=True)
    decided = o.call_arrived(call_id, "slow", "{}", rid, f"item_{call_id}")
    decided += o.response_ended(rid)
    decided += o.call_finished(call_id, '{"status": "started"}')
    return decided + o.output_confirmed(call_id)  # the server has it


def note(call_id: str, ref: str, text: str = "done", role: str = "system") -> SendNote:
    return SendNote(ref, note_item_id(call_id), role, text)


def test_the_result_is_one_item_and_one_request_once_no_response_is_active() -> None:
    o = orchestrator()
    assert started(o, "r1", "c1")[-1] == AskResponse("e2", None, ("c1",))
    o.response_started("r2", in_conversation=True)  # the answer to "started"
    o.response_ended("r2")
    o.response_started("r3", in_conversation=True)  # the user's next turn is answered
    # The work ends while that response is active: the item goes now, the request waits.
    assert o.background_finished("c1", "system", "done", wants_reply=True) == [note("c1", "e3")]
    assert o.item_confirmed(note_item_id("c1")) == []
    assert o.response_ended("r3") == [AskResponse("e4", None, (note_item_id("c1"),))]
    # Reported again (a bug, a race): nothing more.
    assert o.background_finished("c1", "system", "done", wants_reply=True) == []


def test_the_request_waits_for_ours_in_flight() -> None:
    o = orchestrator()
    started(o, "r1", "c1")  # e2: our request for the "started" batch, unanswered
    assert o.background_finished("c1", "system", "done", wants_reply=True) == [note("c1", "e3")]
    assert o.item_confirmed(note_item_id("c1")) == []  # our request is in flight
    o.response_started("r2", in_conversation=True)  # it has the item in its context
    assert o.response_ended("r2") == []  # so it answered both: no second request


def test_an_item_seen_by_no_response_is_owed_after_a_drop() -> None:
    o = orchestrator()
    started(o, "r1", "c1")
    o.response_started("r2", in_conversation=True)
    o.response_ended("r2")
    o.background_finished("c1", "system", "done", wants_reply=True)  # e3, then e4 asks
    o.item_confirmed(note_item_id("c1"))
    o.link_event(LinkInput.DROPPED)  # before the response for it started
    o.link_event(LinkInput.REOPENED)
    assert o.owed() == [AskResponse("e5", None, (note_item_id("c1"),))]
    o.item_confirmed(note_item_id("c1"))  # the replay gave it back
    o.response_started("r3", in_conversation=True)
    assert o.response_ended("r3") == []
    o.link_event(LinkInput.DROPPED)  # answered: a later drop owes nothing
    o.link_event(LinkInput.REOPENED)
    assert o.owed() == []


def test_no_reply_wanted_sends_the_item_only() -> None:
    o = orchestrator()
    started(o, "r1", "c1")
    o.response_started("r2", in_conversation=True)
    o.response_ended("r2")
    assert o.background_finished("c1", "user", "done", wants_reply=False) == [
        note("c1", "e3", role="user")
    ]


def test_a_started_output_and_a_foreground_output_keep_their_own_batches() -> None:
    """A foreground call of a later response still gets its batch's one request."""
    o = orchestrator()
    started(o, "r1", "c1")
    o.response_started("r2", in_conversation=True)
    o.call_arrived("c2", "slow", "{}", "r2", "item_c2")
    o.response_ended("r2")
    assert o.background_finished("c1", "system", "done", wants_reply=True) == [
        note("c1", "e3"),
        AskResponse("e4", None, (note_item_id("c1"),)),
    ]
    o.item_confirmed(note_item_id("c1"))
    o.response_started("r3", in_conversation=True)
    assert o.call_finished("c2", "two") == [SendOutput("e5", "c2", output_item_id("c2"), "two")]
    assert o.response_ended("r3") == [AskResponse("e6", None, ("c2",))]


def test_the_note_is_journaled_once_as_ours() -> None:
    journal = Journal()
    item = p.SystemMessage(
        id=note_item_id("c1"), content=[p.SystemContent(type="input_text", text="done")]
    )
    journal.sent(item)
    journal.sent(item)  # sent again after a drop: still one
    assert [i.id for i in journal.replay(sideband=True)] == [note_item_id("c1")]
    journal.added(note_item_id("c1"))
    assert journal.replay(sideband=True) == []  # the server has it: not sent again
