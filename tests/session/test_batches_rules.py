"""The batches' accounts, sans I/O: what a session owes the model, kept flat over a long
session without forgetting anything that still matters."""

from __future__ import annotations

from rtagents.session.batches import Batches, Work


def answered_turns(b: Batches, first: int, n: int) -> None:
    """``n`` turns of one call each, its output sent, added, seen and answered: nothing of
    them is owed any more (and each turn's end lets the batches collect)."""
    for k in range(first, first + n):
        rid, wid = f"r{k}", f"c{k}"
        b.start(wid, Work(rid, wants_reply=True), wants_reply=True)
        b.batch(rid).done = True
        b.finish(wid, f"e{k}", wants_reply=True)
        assert b.owed() == (wid,)
        b.confirm_output(wid)
        b.seen(f"s{k}")
        b.answered(f"s{k}")
        assert b.owed() == ()


def test_finished_work_is_let_go_but_running_work_never() -> None:
    """A call still running (here one that wants no reply, so no batch waits for it) keeps
    its work, or its output could never be sent; finished work is let go."""
    b = Batches()
    b.start("quiet", Work("r0", wants_reply=False), wants_reply=False)
    answered_turns(b, 1, 50)
    assert "quiet" in b.work
    assert len(b.work) < 25


def test_an_output_not_yet_seen_keeps_its_work_through_a_collection() -> None:
    """An output sent and not yet seen by a response keeps its work: the server's
    confirmation of it must still count, or the batch would be asked for twice."""
    b = Batches()
    b.start("a", Work("rx", wants_reply=True), wants_reply=True)
    b.start("b", Work("rx", wants_reply=True), wants_reply=True)
    b.batch("rx").done = True
    b.finish("a", "ea", wants_reply=True)
    answered_turns(b, 1, 50)  # collections while "a" waits to be seen
    b.finish("b", "eb", wants_reply=True)
    assert b.owed() == ("a", "b")
    b.confirm_output("a")
    b.confirm_output("b")
    b.seen("s")
    b.answered("s")
    assert b.owed() == ()


def test_a_rejection_is_recognised_after_hundreds_of_outputs() -> None:
    """The ids of sent outputs are let go in bulk past a few hundred, but never the id of one
    that still waits: its rejection must still be recognised."""
    b = Batches()
    b.start("a", Work("rx", wants_reply=True), wants_reply=True)
    b.finish("a", "ea", wants_reply=True)
    answered_turns(b, 1, 300)
    assert len(b.output_events) < 300
    assert b.rejected("ea") == "a"
    assert b.rejected("ea") is None  # once


def test_a_confirmation_counts_only_for_work_that_exists() -> None:
    """The server adding an answer we never owed (not ours, or let go) changes nothing."""
    b = Batches()
    b.confirm("nobody")
    b.confirm_output("nobody")
    assert b.confirmed == set()
