"""The guardrails' decisions, sans I/O: what counts as a trip, when a check is due, which
response a trip stops, what the model is told. Plain function calls, no sockets."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest

from rtagents import PASS, Guardrail, GuardrailResult, Guardrails, Trip
from rtagents.approvals.guarding import (
    Check,
    GuardCore,
    InputStop,
    judge,
    raised,
    timed_out,
)
from rtagents.approvals.guardrails import GuardrailTrip
from rtagents.approvals.trip_message import message_for

# -- what counts as a trip ------------------------------------------------------------------


def test_only_an_explicit_pass_passes() -> None:
    assert judge(PASS).passed is True
    assert judge(GuardrailResult(tripped=False)).passed is True
    assert judge(GuardrailResult(False, "fine")).passed is True


BAD_FLAG = GuardrailResult(0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "answer",
    [True, False, None, 0, 1, "pass", "", {"tripped": False}, object(), BAD_FLAG],
)
def test_anything_else_trips_as_an_error(answer: Any) -> None:
    verdict = judge(answer)
    assert (verdict.passed, verdict.decided_by) == (False, "error")
    assert "counts as a trip" in verdict.reason


def test_a_trip_keeps_its_reason_and_a_missing_one_is_said() -> None:
    assert judge(Trip("a promise")) == judge(GuardrailResult(True, "a promise"))
    verdict = judge(Trip("a promise"))
    assert (verdict.passed, verdict.reason, verdict.decided_by) == (
        False,
        "a promise",
        "guardrail",
    )
    for empty in (GuardrailResult(True), GuardrailResult(True, ""), GuardrailResult(True, 5)):  # type: ignore[arg-type]
        assert judge(empty).reason == "no reason given"
        assert judge(empty).passed is False


def test_a_hostile_answer_is_shown_short() -> None:
    class Hostile:
        def __repr__(self) -> str:
            raise RuntimeError("no")

    assert "<Hostile>" in judge(Hostile()).reason
    assert len(judge("x" * 1000).reason) < 200
    assert "'" + "x" * 76 + "...;" in judge("x" * 1000).reason


def test_raising_and_timing_out_trip() -> None:
    verdict = raised(ValueError("bad"))
    assert (verdict.passed, verdict.decided_by, verdict.reason) == (
        False,
        "error",
        "it raised ValueError: bad",
    )
    bare = raised(asyncio.CancelledError())  # no message: none is said
    assert bare.reason == "it raised CancelledError"
    verdict = timed_out(2.5)
    assert (verdict.passed, verdict.decided_by, verdict.reason) == (
        False,
        "timeout",
        "it did not answer within 2.5 s",
    )


# -- when a check is due ---------------------------------------------------------------------


def core(chars: int = 10, ms: int = 100) -> GuardCore:
    return GuardCore(every_chars=chars, every_ms=ms)


def test_a_stream_is_checked_every_n_chars_with_the_text_so_far() -> None:
    c = core(chars=10, ms=10_000)
    assert c.heard("output", "a", "hello ", 0) is None  # 6 new characters
    check = c.heard("output", "a", "world", 1)  # 11: due
    assert check == Check("output", "a", "hello world", final=False)
    # While it runs, nothing more is started, however much arrives.
    assert c.heard("output", "a", " and more text", 2) is None
    # When it finishes, the text that came meanwhile is checked.
    following = c.checked(check, 3)
    assert following == Check("output", "a", "hello world and more text", final=False)
    assert c.checked(following, 4) is None  # nothing new


def test_exactly_n_chars_is_due_and_one_less_is_not() -> None:
    c = core(chars=5, ms=10_000)
    assert c.heard("output", "a", "abcd", 0) is None
    assert c.heard("output", "a", "e", 0) is not None


def test_a_stream_is_checked_after_n_ms_of_new_text() -> None:
    c = core(chars=1000, ms=100)
    assert c.heard("output", "a", "hi", 0) is None
    assert c.heard("output", "a", " there", 99) is None
    check = c.heard("output", "a", "!", 100)
    assert check is not None and check.text == "hi there!"
    # The next is timed from this one.
    assert c.checked(check, 150) is None
    assert c.heard("output", "a", " x", 199) is None
    assert c.heard("output", "a", " y", 200) is not None


def test_time_alone_without_new_text_checks_nothing() -> None:
    c = core(chars=3, ms=100)
    check = c.heard("output", "a", "abc", 0)
    assert check is not None
    assert c.checked(check, 500) is None


def test_a_tail_no_delta_triggers_is_due_by_time_alone() -> None:
    # A burst's tail: nothing more arrives to trigger its check, so the session asks when it
    # falls due (``trail_in``) and checks it then (``trail``).
    c = core(chars=10, ms=100)
    assert c.trail_in("a", 0) is None  # no stream
    assert c.heard("output", "a", "abc", 0) is None
    assert c.trail_in("a", 30) == 70.0  # 100 ms after the stream began
    assert c.trail_in("a", 250) == 0.0  # overdue: at once
    assert c.trail("output", "a", 99) is None  # not due yet
    tail = c.trail("output", "a", 100)
    assert tail == Check("output", "a", "abc", final=False)
    assert c.trail_in("a", 100) is None  # a check runs
    assert c.trail("output", "a", 500) is None
    assert c.checked(tail, 120) is None
    assert c.trail_in("a", 120) is None  # everything read
    assert c.heard("output", "a", "de", 150) is None
    assert c.trail_in("a", 150) == 50.0  # timed from the last check, at 100
    assert c.trail("output", "a", 199) is None
    assert c.trail("output", "a", 200) == Check("output", "a", "abcde", final=False)


def test_a_tripped_or_unknown_stream_has_no_tail_to_check() -> None:
    c = core(chars=10, ms=100)
    assert c.trail("output", "nobody", 1_000) is None
    c.heard("output", "a", "abc", 0)
    assert c.trip("a")
    assert c.trail_in("a", 1_000) is None
    assert c.trail("output", "a", 1_000) is None
    c.heard("input", "b", "xyz", 0)
    assert c.trail("input", "b", 100) == Check("input", "b", "xyz", final=False)


def test_the_end_of_an_item_checks_what_no_check_read() -> None:
    c = core(chars=100, ms=10_000)
    c.heard("output", "a", "short answer", 0)
    assert c.ended("output", "a", 1) == Check("output", "a", "short answer", final=True)


def test_the_end_while_a_check_runs_is_checked_after_it() -> None:
    c = core(chars=3, ms=10_000)
    first = c.heard("output", "a", "abc", 0)
    assert first is not None
    c.heard("output", "a", "def", 1)
    assert c.ended("output", "a", 2) is None  # one runs
    last = c.checked(first, 3)
    assert last == Check("output", "a", "abcdef", final=True)
    assert c.checked(last, 4) is None
    assert c.owner("a") is None


def test_an_end_with_everything_checked_checks_nothing() -> None:
    c = core(chars=3, ms=10_000)
    first = c.heard("output", "a", "abc", 0)
    assert first is not None and c.checked(first, 1) is None
    assert c.ended("output", "a", 2) is None
    assert c.ended("output", "unknown", 2) is None
    # A final check finished with nothing new: the stream is gone.
    c.heard("output", "b", "xy", 0)
    final = c.ended("output", "b", 1)
    assert final is not None and c.checked(final, 2) is None
    assert c.heard("output", "b", "z", 3) is None  # a new stream of one char


def test_streams_are_separate() -> None:
    c = core(chars=4, ms=10_000)
    assert c.heard("output", "a", "abc", 0) is None
    assert c.heard("output", "b", "xyz", 0) is None
    check = c.heard("output", "a", "d", 0)
    assert check is not None and check.text == "abcd"


def test_a_tripped_item_is_not_checked_again_and_acts_once() -> None:
    c = core(chars=3, ms=10_000)
    check = c.heard("output", "a", "abc", 0)
    assert check is not None
    assert c.trip("a") is True
    assert c.trip("a") is False  # a second guardrail's trip of it is recorded only
    assert c.heard("output", "a", "def", 1) is None
    assert c.checked(check, 2) is None
    assert c.ended("output", "a", 3) is None
    assert c.whole("input", "a", "text") is None


def test_rearm_guards_a_stream_afresh_once_its_check_is_done() -> None:
    c = core(chars=3, ms=10_000)
    check = c.heard("output", "live", "abc", 0)
    assert check is not None
    assert c.trip("live")
    c.rearm("live", "first")
    assert c.trip("live") is False  # another guardrail's trip of the same check: recorded only
    c.rearm("live", "second")  # (it reads on from the cut too)
    assert c.heard("output", "live", "de", 1) is None  # kept while the check runs
    assert c.checked(check, 2) is None  # afresh
    again = c.heard("output", "live", "f", 3)
    assert again is not None and again.text == "abcdef"
    # Those that tripped read what their check did not; the others read all of it.
    assert again.text_for("first") == again.text_for("second") == "def"
    assert again.text_for("another") == "abcdef"
    assert c.trip("live") is True


def test_a_guardrail_that_trips_twice_reads_from_its_latest_cut() -> None:
    c = core(chars=3, ms=10_000)
    first = c.heard("input", "turn", "abc", 0)
    assert first is not None and c.trip("turn")
    c.rearm("turn", "g")
    c.heard("input", "turn", "def", 1)
    second = c.checked(first, 2)
    assert second is not None and second.text_for("g") == "def"
    assert c.trip("turn")
    c.rearm("turn", "g")
    c.heard("input", "turn", "ghi", 3)
    third = c.checked(second, 4)
    assert third is not None
    assert third.text_for("g") == "ghi" and third.text_for("h") == "abcdefghi"


def test_a_stream_that_ends_while_its_trip_is_decided_gets_its_last_check() -> None:
    c = core(chars=3, ms=10_000)
    check = c.heard("input", "turn", "abc", 0)
    assert check is not None and c.trip("turn")
    c.rearm("turn", "g")
    assert c.heard("input", "turn", "de", 1) is None
    assert c.ended("input", "turn", 2) is None  # its last check follows the trip's
    last = c.checked(check, 3)
    assert last is not None and last.text_for("g") == "de" and last.final


def test_a_whole_message_is_checked_once() -> None:
    c = core()
    assert c.whole("input", "u1", "hello") == Check("input", "u1", "hello", final=True)
    assert c.whole("input", "u1", "hello") is None  # a replay, or its transcript after it


# -- which response a trip stops ---------------------------------------------------------------


def test_an_output_trip_stops_the_response_its_item_belongs_to_while_active() -> None:
    c = core(chars=1, ms=10_000)
    c.response_started("r1", in_conversation=True)
    c.item_added("i1", "r1")
    c.heard("output", "i1", "x", 0)
    assert c.owner("i1") == "r1"
    c.response_ended("r1")
    assert c.owner("i1") is None


def test_an_item_of_a_response_that_is_over_has_no_owner() -> None:
    c = core(chars=1, ms=10_000)
    c.item_added("i1", "r1")  # r1 never started here
    c.heard("output", "i1", "x", 0)
    assert c.owner("i1") is None
    c.response_started("r2", in_conversation=True)
    c.item_added("i2", "r2")
    c.response_ended("r2")  # before a word: forgotten
    c.response_started("r2", in_conversation=True)
    c.heard("output", "i2", "x", 0)
    assert c.owner("i2") is None


def test_an_input_trip_cancels_the_active_answer_to_its_turn() -> None:
    c = core()
    c.user_item("u1")
    c.response_started("r1", in_conversation=True)
    assert c.input_stops("u1", asked=False) == InputStop("r1", ("r1",), ())


def test_an_input_trip_before_the_answer_cancels_it_as_it_starts() -> None:
    c = core()
    c.user_item("u1")
    assert c.input_stops("u1", asked=False) == InputStop(None, (), ())
    assert c.response_started("oob", in_conversation=False) is False  # not the answer
    assert c.response_started("r1", in_conversation=True) is True
    assert c.response_started("r2", in_conversation=True) is False  # only that one


def test_the_response_a_trip_asks_for_is_never_held_and_ends_the_hold() -> None:
    """The trip held the next response (none had begun), then asked for one itself
    (``Guardrails.respond``): that one is not cancelled, nor is any after it."""
    c = core()
    c.user_item("u1")
    assert c.input_stops("u1", asked=False) == InputStop(None, (), ())
    assert c.response_started("note", in_conversation=True, asked_by_a_trip=True) is False
    assert c.response_started("r2", in_conversation=True) is False


def test_an_input_trip_after_the_answer_ended_or_a_new_turn_cancels_nothing() -> None:
    c = core()
    c.user_item("u1")
    c.response_started("r1", in_conversation=True)
    c.response_ended("r1")
    assert c.input_stops("u1", asked=False) == InputStop(None, ("r1",), ())
    assert c.response_started("r2", in_conversation=True) is False
    c.user_item("u2")
    c.response_started("r3", in_conversation=True)
    assert c.input_stops("u1", asked=False) is None  # the user spoke since: r3 answers u2
    c.user_item("u2")  # the same item again changes nothing
    assert c.input_stops("u2", asked=False) == InputStop("r3", ("r3",), ())


def test_a_response_before_any_user_message_answers_no_turn() -> None:
    c = core()
    assert c.response_started("r0", in_conversation=True) is False
    c.user_item("u1")
    c.response_started("r1", in_conversation=True)
    c.response_ended("r1")
    c.response_started("r2", in_conversation=True)
    assert c.input_stops("u1", asked=False) == InputStop("r2", ("r1", "r2"), ())


def test_a_held_trip_is_dropped_when_the_user_speaks_again() -> None:
    c = core()
    c.user_item("u1")
    assert c.input_stops("u1", asked=False) == InputStop(None, (), ())
    c.user_item("u2")
    assert c.response_started("r1", in_conversation=True) is False


def test_the_answer_is_every_response_since_the_message_until_the_trip() -> None:
    # The answer called a tool (r1), and the tool's output was answered (r2): both answer
    # the message, with their items; a response after the trip (the note's) does not.
    c = core()
    c.user_item("u1")
    c.response_started("r1", in_conversation=True)
    c.item_added("a1", "r1")
    c.response_ended("r1")
    c.response_started("r2", in_conversation=True)
    c.item_added("a2", "r2")
    c.item_added("x", "elsewhere")
    assert c.input_stops("u1", asked=False) == InputStop("r2", ("r1", "r2"), ("a1", "a2"))
    c.response_ended("r2")
    assert c.response_started("r3", in_conversation=True) is False
    c.item_added("a3", "r3")
    # Its items outlive their responses: a late trip still finds the audio they played.
    assert c.input_stops("u1", asked=False) == InputStop(None, ("r1", "r2"), ("a1", "a2"))


def test_a_follow_up_asked_for_before_the_trip_is_cancelled_as_it_starts() -> None:
    c = core()
    c.user_item("u1")
    c.response_started("r1", in_conversation=True)
    c.response_ended("r1")  # its calls finished, and their answer was asked for
    assert c.input_stops("u1", asked=True) == InputStop(None, ("r1",), ())
    assert c.response_started("r2", in_conversation=True) is True
    assert c.response_started("r3", in_conversation=True) is False


# -- what the model is told ------------------------------------------------------------------------


def trip(kind: str = "output") -> GuardrailTrip:
    return GuardrailTrip("polite", kind, "rude", "guardrail", "i1", "text")  # type: ignore[arg-type]


def test_default_messages() -> None:
    g = Guardrails()
    assert message_for(g, trip("output")) == (
        "Your last answer was stopped by a guardrail (polite): rude",
        None,
    )
    assert message_for(g, trip("input")) == (
        "The user's last message was not answered; a guardrail (polite) stopped it: rude",
        None,
    )


def test_a_template_and_a_hook_shape_the_message() -> None:
    g = Guardrails(message="[{kind}] {guardrail}: {reason}")
    assert message_for(g, trip()) == ("[output] polite: rude", None)
    g = Guardrails(message=lambda t: f"Do not say that again ({t.reason}).")
    assert message_for(g, trip()) == ("Do not say that again (rude).", None)
    assert message_for(Guardrails(message=lambda t: None), trip()) == (None, None)


def test_a_failing_hook_or_template_still_tells_the_model() -> None:
    default = "Your last answer was stopped by a guardrail (polite): rude"

    def broken(t: GuardrailTrip) -> str:
        raise RuntimeError("oops")

    text, problem = message_for(Guardrails(message=broken), trip())
    assert text == default and problem is not None and "oops" in problem
    text, problem = message_for(Guardrails(message=lambda t: 42), trip())  # type: ignore[arg-type,return-value]
    assert text == default and problem is not None and "42" in problem
    text, problem = message_for(Guardrails(message="{nope}"), trip())
    assert text == default and problem is not None and "template" in problem


def test_what_failed_is_shown_in_120_characters() -> None:
    long = RuntimeError("x" * 300)

    def broken(t: GuardrailTrip) -> str:
        raise long

    _, problem = message_for(Guardrails(message=broken), trip())
    assert problem == "the guardrail message hook raised " + repr(long)[:117] + "..."
    missing = "{" + "k" * 300 + "}"
    _, problem = message_for(Guardrails(message=missing), trip())
    error = repr(KeyError("k" * 300))
    assert problem == "the guardrail message template failed: " + error[:117] + "..."


@pytest.mark.parametrize(
    "template",
    ["{reason.text}", "{guardrail.__len__.x}", "{reason:d}", "{kind!z}", "{0}", "{reason[x]}"],
)
def test_any_template_that_fails_falls_back_to_the_default_line(template: str) -> None:
    # A typo in an attribute raises AttributeError (a format spec TypeError or ValueError):
    # whatever it raises, the model is told the default line and the app is warned.
    text, problem = message_for(Guardrails(message=template), trip())
    assert text == "Your last answer was stopped by a guardrail (polite): rude"
    assert problem is not None and problem.startswith("the guardrail message template failed")


# -- the configuration --------------------------------------------------------------------------


def test_guardrails_are_named_and_checked() -> None:
    def polite(text: str) -> GuardrailResult:
        return PASS

    g = Guardrails(output=[polite, Guardrail(lambda t: PASS, "short")], input=[polite])
    assert [x.name for x in g.output] == ["polite", "short"] and bool(g)
    assert not Guardrails()
    assert "polite" in repr(g)
    with pytest.raises(TypeError):
        Guardrails(output=["not callable"])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        Guardrail("x", "x")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Guardrails(timeout=0)
    with pytest.raises(ValueError):
        Guardrails(every_chars=0)
    with pytest.raises(ValueError):
        Guardrails(every_ms=-1)
    with pytest.raises(ValueError):
        Guardrails(role="assistant")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Guardrails(message=5)  # type: ignore[arg-type]
    assert Guardrails(every_chars=1, every_ms=0).every_ms == 0


# -- the edges (each of these once let a changed line pass) -----------------------------------


def test_a_pass_and_a_bad_flag_are_said_exactly() -> None:
    from rtagents.approvals.guarding import Verdict

    assert judge(PASS) == Verdict(True, "", "guardrail")
    assert "GuardrailResult(tripped=0)" in judge(GuardrailResult(0)).reason  # type: ignore[arg-type]


def test_a_shown_answer_is_cut_only_past_80_characters() -> None:
    whole = "x" * 78  # its repr is 80 characters
    assert f"answered '{whole}';" in judge(whole).reason
    cut = "x" * 79
    assert "'" + "x" * 76 + "...;" in judge(cut).reason


def test_a_raised_message_is_cut_only_past_120_characters() -> None:
    assert raised(ValueError("y" * 120)).reason == "it raised ValueError: " + "y" * 120
    assert raised(ValueError("y" * 121)).reason == "it raised ValueError: " + "y" * 117 + "..."


def test_a_stream_is_timed_from_its_first_words() -> None:
    c = core(chars=1000, ms=100)
    assert c.heard("output", "a", "hi", 1000) is None
    assert c.heard("output", "a", " there", 1050) is None  # 50 ms after it began
    assert c.heard("output", "a", "!", 1100) is not None


def test_no_new_text_is_never_due() -> None:
    c = core(chars=1, ms=0)
    check = c.heard("output", "a", "a", 0)
    assert check is not None
    assert c.checked(check, 10) is None
    assert c.heard("output", "a", "", 20) is None  # an empty delta adds nothing to check


def test_one_new_character_is_due_at_every_chars_one() -> None:
    c = core(chars=1, ms=10_000)
    assert c.heard("output", "a", "a", 0) is not None


def test_new_text_under_both_bounds_waits_after_a_check() -> None:
    c = core(chars=10, ms=100)
    check = c.heard("output", "a", "0123456789", 0)
    assert check is not None
    c.heard("output", "a", "x", 10)  # arrives while the check runs
    assert c.checked(check, 20) is None  # 1 new character, 20 ms: not due
    later = c.heard("output", "a", "y", 100)  # 100 ms after the check began
    assert later is not None and later.text == "0123456789xy"


def test_checks_after_the_end_and_after_a_later_check_are_timed() -> None:
    c = core(chars=5, ms=100)
    first = c.heard("output", "a", "abcde", 0)
    assert first is not None
    c.heard("output", "a", "fghij", 10)
    second = c.checked(first, 20)  # 5 new: due at once
    assert second is not None and second.final is False
    c.heard("output", "a", "k", 30)
    assert c.checked(second, 40) is None
    assert c.heard("output", "a", "l", 119) is None  # timed from the second check (20)
    assert c.heard("output", "a", "m", 120) is not None


def test_rearm_of_a_stream_never_seen() -> None:
    c = core()
    c.rearm("nothing", "g")  # no error
    assert c.trip("nothing") is True


def test_the_defaults() -> None:
    g = Guardrails()
    assert (g.timeout, g.every_chars, g.every_ms, g.role, g.respond, g.message) == (
        5.0,
        40,
        300,
        "system",
        False,
        None,
    )
    g = Guardrails(timeout=0.5, every_chars=7, every_ms=0, role="user", respond=True)
    assert (g.timeout, g.every_chars, g.every_ms, g.role, g.respond) == (0.5, 7, 0, "user", True)


def says(message: str) -> str:
    """A ``match`` for exactly ``message``."""
    return f"^{re.escape(message)}$"


def test_bad_settings_say_what_is_wrong() -> None:
    with pytest.raises(
        ValueError, match=says("Guardrails: timeout must be positive (seconds), got -1")
    ):
        Guardrails(timeout=-1)
    bounds = says(
        "Guardrails: every_chars must be a whole number, at least 1, and every_ms one not "
        "negative; got every_chars=0, every_ms=300"
    )
    with pytest.raises(ValueError, match=bounds):
        Guardrails(every_chars=0)
    for side in ("output", "input"):  # one check, or a string, where a list is wanted
        for one in (len, "no_refunds"):
            shown = type(one).__name__
            with pytest.raises(
                TypeError,
                match=says(f"Guardrails: {side} takes a list ({side}=[...]), not {shown}"),
            ):
                Guardrails(**{side: one})  # type: ignore[arg-type]
    role = says("Guardrails: role must be 'system' or 'user', not 'assistant'")
    with pytest.raises(ValueError, match=role):
        Guardrails(role="assistant")  # type: ignore[arg-type]
    shape = says("Guardrails: message must be a template string or a function")
    with pytest.raises(TypeError, match=shape):
        Guardrails(message=5)  # type: ignore[arg-type]
    named = says("'nope' is not a guardrail: give a function or a Guardrail")
    with pytest.raises(TypeError, match=named):
        Guardrails(input=["nope"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=says("guardrail 'x': its check must be callable")):
        Guardrail("x", "x")  # type: ignore[arg-type]


def test_either_side_alone_counts_and_the_repr_names_both() -> None:
    def a(text: str) -> GuardrailResult:
        return PASS

    def b(text: str) -> GuardrailResult:
        return PASS

    assert Guardrails(output=[a]) and Guardrails(input=[a])
    assert repr(Guardrails(output=[a], input=[b], timeout=2)) == (
        "Guardrails(output=['a'], input=['b'], timeout=2)"
    )


def test_a_callable_object_is_named_after_its_class() -> None:
    class Moderation:
        def __call__(self, text: str) -> GuardrailResult:
            return PASS

    assert Guardrails(output=[Moderation()]).output[0].name == "Moderation"


# -- whose guardrails a check runs ----------------------------------------------------------------

TRIAGE = Guardrails(input=[lambda text: PASS], output=[lambda text: PASS])
BILLING = Guardrails(output=[lambda text: PASS])


def test_a_stream_s_checks_are_those_in_force_when_it_began() -> None:
    c = core(chars=3, ms=10_000)
    c.use(TRIAGE)
    first = c.heard("output", "a", "abc", 0)
    assert first is not None and first.of is TRIAGE
    c.use(BILLING)  # a handoff: the answer begun under triage stays triage's
    c.heard("output", "a", "def", 1)
    following = c.checked(first, 2)
    assert following is not None and following.of is TRIAGE
    c.ended("output", "a", 3)
    last = c.checked(following, 4)
    assert last is None or last.of is TRIAGE
    assert c.heard("output", "b", "xyz", 5).of is BILLING  # type: ignore[union-attr]


def test_a_stream_with_no_checks_of_its_kind_takes_the_next_agent_s() -> None:
    c = core(chars=3, ms=10_000)
    c.use(Guardrails(input=[lambda text: PASS]))  # no output checks
    assert c.heard("output", "a", "ab", 0) is None
    c.use(BILLING)
    check = c.heard("output", "a", "c", 1)
    assert check is not None and check.of is BILLING


def test_a_message_s_late_transcript_is_checked_by_the_guardrails_when_it_was_added() -> None:
    c = core()
    c.use(TRIAGE)
    c.user_item("u1")
    c.user_item("u2")
    c.use(None)  # a switch to an agent with none, before the transcripts
    assert c.whole("input", "u1", "first").of is TRIAGE  # type: ignore[union-attr]
    assert c.whole("input", "u2", "second").of is TRIAGE  # type: ignore[union-attr]
    c.use(BILLING)
    c.user_item("u3")  # added under guardrails with no input checks: the current ones
    c.use(TRIAGE)
    assert c.whole("input", "u3", "third").of is TRIAGE  # type: ignore[union-attr]


def test_an_item_read_only_whole_is_checked_and_owned() -> None:
    c = core(chars=100, ms=10_000)
    c.use(TRIAGE)
    c.response_started("r1", in_conversation=True)
    c.item_added("a", "r1")
    check = c.ended("output", "a", 0, "said while the deltas were lost")
    assert check == Check("output", "a", "said while the deltas were lost", True, TRIAGE)
    assert c.owner("a") == "r1"
    assert c.ended("output", "b", 0) is None  # nothing to read


def test_what_tripped_and_the_messages_checked_whole_are_the_latest_256() -> None:
    c = core()
    for n in range(256):
        assert c.trip(f"i{n}")
        assert c.whole("input", f"m{n}", "text") is not None
    assert not c.trip("i0") and c.whole("input", "m0", "text") is None  # all 256 still kept
    assert c.trip("i256") and c.whole("input", "m256", "text") is not None
    assert c.trip("i0")  # the oldest went first
    assert c.whole("input", "m0", "text") is not None
    assert not c.trip("i256")


def test_an_item_s_whole_text_never_checks_it_again_once_it_tripped() -> None:
    c = core(chars=3, ms=10_000)
    c.use(TRIAGE)
    check = c.heard("output", "a", "abc", 0)
    assert check is not None and c.trip("a")
    assert c.checked(check, 1) is None  # the stream is gone
    assert c.ended("output", "a", 2, "abc and the rest") is None


def test_the_deltas_text_stands_when_the_whole_says_no_more() -> None:
    c = core(chars=100, ms=10_000)
    c.use(TRIAGE)
    c.heard("output", "a", "abc", 0)
    check = c.ended("output", "a", 1, "xyz")  # as long: what the deltas said is checked
    assert check is not None and check.text == "abc"
    unowned = c.ended("output", "b", 2, "said")  # no item_added came for it
    assert unowned is not None and c.owner("b") is None


def test_a_check_with_no_cuts_gives_every_guardrail_the_whole_text() -> None:
    check = Check("output", "item", "abcdef", final=False)  # (the Realtime API's: no re-arm)
    assert check.text_for("g") == "abcdef"
    cut = Check("output", "item", "abcdef", final=False, cuts={id("g"): 2})
    assert cut.text_for("g") == "cdef" and cut.text_for("h") == "abcdef"


def test_a_rearmed_stream_that_ends_before_any_delta_ends_quietly() -> None:
    c = core()
    assert c.trip("turn")
    c.rearm("turn", "g")
    assert c.ended("input", "turn", 0) is None  # no stream to mark: nothing to check


INPUT_ONLY = Guardrails(input=[lambda text: PASS])


def test_a_switch_after_the_last_delta_gives_the_end_to_the_new_agent_s_checks() -> None:
    c = core(chars=3, ms=10_000)
    c.use(INPUT_ONLY)  # no output checks: its checks of the stream read nothing
    passed = c.heard("output", "a", "a promise", 0)
    assert passed is not None and passed.of is None  # (passed by the session unrun)
    assert c.checked(passed, 1) is None
    assert c.use(BILLING) == [("output", "a")]  # after the last delta: theirs now
    assert c.use(BILLING) == []  # (the same again: nothing changes)
    last = c.ended("output", "a", 2)
    assert last == Check("output", "a", "a promise", True, BILLING)  # all of it, read afresh
    assert c.checked(last, 3) is None
    assert c.ended("output", "a", 4) is None  # over: read once


def test_a_stream_whose_check_ran_with_none_of_its_kind_is_read_whole_after_a_switch() -> None:
    c = core(chars=3, ms=10_000)
    c.use(INPUT_ONLY)
    passed = c.heard("output", "a", "abc", 0)
    assert passed is not None
    c.use(BILLING)
    following = c.checked(passed, 1)  # its check done as the switch came: all of it is due
    assert following == Check("output", "a", "abc", False, BILLING)


def test_a_trailing_check_after_a_switch_is_the_new_agent_s_and_reads_it_whole() -> None:
    c = core(chars=100, ms=10)
    c.use(INPUT_ONLY)
    assert c.heard("output", "a", "ab", 0) is None
    c.use(BILLING)
    assert c.trail("output", "a", 5) is None  # not due yet (by time)
    check = c.trail("output", "a", 20)
    assert check == Check("output", "a", "ab", False, BILLING)


def test_an_answer_read_only_at_its_end_is_checked_by_those_it_began_under() -> None:
    c = core(chars=100, ms=10_000)
    c.use(TRIAGE)
    c.response_started("r1", in_conversation=True)
    c.use(None)  # a switch to an agent with no guardrails, while r1 answers
    c.item_added("a", "r1")
    check = c.ended("output", "a", 0, "a refund, promised")
    assert check == Check("output", "a", "a refund, promised", True, TRIAGE)
    c.use(BILLING)  # a later response is the agent's in force as it begins
    c.response_started("r2", in_conversation=True)
    c.use(TRIAGE)
    c.item_added("b", "r2")
    assert c.heard("output", "b", "hello", 1) is None  # (not due yet)
    assert c.ended("output", "b", 2).of is BILLING  # type: ignore[union-attr]
    c.response_ended("r2")
    c.item_added("x", "r2")  # (an item of a response over: no owner, those in force)
    assert c.ended("output", "x", 2, "late").of is TRIAGE  # type: ignore[union-attr]


def test_an_exception_whose_text_cannot_be_made_still_trips_with_its_type() -> None:
    class Unprintable:
        def __str__(self) -> str:
            raise RuntimeError("no text")

    verdict = raised(ValueError(Unprintable()))
    assert (verdict.passed, verdict.decided_by) == (False, "error")
    assert verdict.reason.startswith("it raised ValueError: <")


def test_a_switch_after_the_last_delta_makes_the_tail_due_for_the_new_guardrails() -> None:
    # GPT-Live: a turn has no end event; the tail's timer reads it before the user speaks.
    c = core(chars=3, ms=100)
    c.use(INPUT_ONLY)
    passed = c.heard("output", "assistant#1", "I promise a refund", 0)
    assert passed is not None and c.checked(passed, 1) is None
    assert c.trail_in("assistant#1", 2) is None  # read (by none): nothing waits
    assert c.use(BILLING) == [("output", "assistant#1")]
    assert c.trail_in("assistant#1", 2) == 98  # its text unread: due a check by time
    assert c.trail("output", "assistant#1", 200) == Check(
        "output", "assistant#1", "I promise a refund", False, BILLING
    )
    assert c.use(TRIAGE) == []  # a stream with guardrails of its kind keeps them


def test_a_user_stream_is_taken_only_by_input_checks() -> None:
    c = core(chars=3, ms=100)
    c.use(BILLING)  # output checks only
    c.heard("input", "user#1", "hi there", 0)
    assert c.use(INPUT_ONLY) == [("input", "user#1")]


def test_the_end_of_a_response_never_seen_begin_is_nothing() -> None:
    c = core()
    c.response_ended("never-started")  # (guarding began after it: it is not kept)
    c.response_started("r1", in_conversation=True)
    c.item_added("a", "r1")
    c.response_ended("r1")
    c.response_ended("r1")  # (a response.done the server sent twice)
    assert c.owner("a") is None


def test_an_input_trip_while_the_follow_up_is_asked_for_cancels_it_as_it_starts() -> None:
    # The answer called a tool (r1, ended); its output went with a response asked for, which
    # has not begun: nothing is active to cancel, and the follow-up is cancelled as it starts.
    c = core()
    c.user_item("u1")
    c.response_started("r1", in_conversation=True)
    c.response_ended("r1")
    assert c.input_stops("u1", asked=True) == InputStop(None, ("r1",), ())
    assert c.response_started("oob", in_conversation=False) is False  # not the follow-up
    assert c.response_started("r2", in_conversation=True) is True
    assert c.response_started("r3", in_conversation=True) is False  # only that one
