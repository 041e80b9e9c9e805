"""Tests written to kill the mutants of rtagents/approvals/ that `make mutate` found alive.

Each pins one behaviour the other approval tests left loose: a field carried through, a
reason worded, a condition that must not match. The gate itself is driven directly (no
session): these are rules of the approval logic, not of the wire.
"""

from __future__ import annotations

import datetime
import threading
import time
from typing import Any

import anyio
import pytest

from rtagents import ApprovalPolicy, ApprovalRequest, Decision
from rtagents.approvals import ApprovalDecided, ApprovalRequested, Rule, allow, ask, deny
from rtagents.approvals.broker import NOT_REQUIRED, ApprovalBroker
from rtagents.approvals.verdict import verdict, why_denied
from rtagents.errors import root_cause

# A mutant may make the gate wait for an answer nobody gives (past any policy timeout when
# the clock never starts): each test here takes well under a second, and fails after five.
pytestmark = [pytest.mark.anyio, pytest.mark.timeout(5)]


def _call(
    tool: str = "book", server: str | None = None, read_only: bool | None = None
) -> ApprovalRequest:
    return ApprovalRequest.for_call(
        "call_1", tool, {"n": 1}, server_label=server, read_only=read_only, agent="the agent"
    )


# -- requests ---------------------------------------------------------------------------------


def test_a_call_request_carries_its_server_and_read_only_hint() -> None:
    request = _call(server="notes", read_only=True)
    assert (request.kind, request.server_label, request.read_only) == ("mcp_local", "notes", True)
    assert (request.id, request.call_id, request.agent) == ("call_1", "call_1", "the agent")
    assert request.describe() == "notes.book(n=1)"


def test_a_hosted_request_carries_every_field() -> None:
    request = ApprovalRequest.for_hosted(
        "req_1", "docs", "search", '{"q": "x"}', read_only=False, agent="the agent"
    )
    assert request.id == "req_1"
    assert request.arguments == {"q": "x"}
    assert request.read_only is False
    assert request.agent == "the agent"
    assert request.problem is None


def test_a_hosted_request_with_unreadable_arguments_says_why() -> None:
    request = ApprovalRequest.for_hosted(
        "req_1", "docs", "search", "not json", read_only=None, agent=None
    )
    assert request.arguments == {}
    assert request.problem and request.problem != "None"


# -- rules ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rule",
    [
        allow(tool="other"),
        allow(server="notes"),
        allow(kind="mcp_hosted"),
        allow(read_only=True),
        allow(server="????"),  # a request with no server is matched as "", nothing longer
    ],
)
def test_a_rule_with_a_condition_that_does_not_hold_does_not_match(rule: Rule) -> None:
    assert rule.matches(_call()) is False


def test_a_rule_of_one_kind_matches_that_kind() -> None:
    assert allow(kind="function").matches(_call()) is True


def test_a_when_that_answers_a_non_bool_says_what_it_returned() -> None:
    with pytest.raises(TypeError, match="returned 'yes', not True or False"):
        allow(when=lambda arguments: "yes").matches(_call())


def test_a_rule_names_each_server_of_a_list() -> None:
    assert allow(server=["notes", "docs"]).names_server("docs") is True


def test_the_rule_makers_set_their_action() -> None:
    assert (allow().action, deny().action, ask().action) == ("allow", "deny", "ask")


# -- verdicts ---------------------------------------------------------------------------------


def test_a_decision_keeps_no_reason_as_none_and_shows_any_other_as_text() -> None:
    assert verdict(Decision(True), "handler").reason is None
    assert verdict(Decision(False, 42), "handler").reason == "42"  # type: ignore[arg-type]


def test_anything_but_session_is_remembered_once() -> None:
    answer = Decision(True, remember="forever")  # type: ignore[arg-type]
    assert verdict(answer, "handler").remember == "once"


def test_an_unknown_decider_is_named_in_the_denial() -> None:
    decision = Decision(False, decided_by="someone")  # type: ignore[arg-type]
    assert why_denied(decision) == "denied (someone)"


@pytest.mark.parametrize(
    ("answer", "shown"),
    [
        ("a" * 78, repr("a" * 78)),  # 80 characters: shown whole
        ("a" * 79, repr("a" * 79)[:77] + "..."),  # 81: cut to 80
    ],
)
def test_a_malformed_answer_is_shown_in_at_most_80_characters(answer: str, shown: str) -> None:
    assert verdict(answer, "handler").reason == (
        f"the handler answered {shown}; only True, False or a Decision(approve=True|False) "
        "counts, so it was denied"
    )


class _Hostile:
    def __repr__(self) -> str:
        raise RuntimeError("no repr")


def test_an_answer_whose_repr_raises_is_shown_by_its_type() -> None:
    reason = verdict(_Hostile(), "handler").reason
    assert reason is not None and reason.startswith("the handler answered <_Hostile>;")


# -- the gate ---------------------------------------------------------------------------------


def _broker(policy: ApprovalPolicy | None = None) -> tuple[ApprovalBroker, list[Any]]:
    """A gate, and the events it emits. Its policy waits a second at most (not the default
    minute): a mutant that makes a decision wait for nobody then fails fast."""
    events: list[Any] = []
    return ApprovalBroker(policy or ApprovalPolicy(timeout=1), events.append), events


async def test_an_explicit_false_waives_approval_without_making_a_request() -> None:
    broker, events = _broker()

    def never() -> ApprovalRequest:
        raise AssertionError("no request is made for a tool that needs no approval")

    assert await broker.authorize(never, False, None) is NOT_REQUIRED
    assert events == []


async def test_a_predicate_that_hangs_is_refused_and_reported_with_its_request() -> None:
    broker, events = _broker(ApprovalPolicy(timeout=0.05))
    request = _call()

    async def hangs(ctx: object, arguments: object) -> bool:

        await anyio.sleep(10)
        return True

    decision = await broker.authorize(lambda: request, hangs, None)
    assert (decision.approve, decision.decided_by) == (False, "timeout")
    assert decision.reason == "needs_approval gave no answer within 0.05 s"
    assert [type(e) for e in events] == [ApprovalRequested, ApprovalDecided]
    assert all(e.request is request for e in events)


async def test_a_sync_predicate_that_blocks_is_refused_and_the_loop_runs_meanwhile() -> None:
    # A sync check runs off the event loop: one that blocks (a slow lookup) holds up neither
    # the policy's timeout nor the process's other sessions.
    broker, _ = _broker(ApprovalPolicy(timeout=0.05))
    release = threading.Event()
    ticks = 0

    def blocks(ctx: object, arguments: object) -> bool:
        release.wait(1)
        return False  # a late "no approval needed" must not count

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await anyio.sleep(0.005)
            ticks += 1

    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(ticker)
            decision = await broker.authorize(_call, blocks, None)
            ticked_while_blocked = ticks  # (the check still blocks: released below)
            tg.cancel_scope.cancel()
    finally:
        release.set()
    assert (decision.approve, decision.decided_by) == (False, "timeout")
    # The loop went on while the check blocked. (How often it ticked in the 50 ms is the
    # machine's load, not the rule: on the loop, the check would have let it tick never.)
    assert ticked_while_blocked >= 1


async def test_a_yes_from_outside_can_be_remembered_for_the_session() -> None:

    broker, events = _broker(ApprovalPolicy(timeout=2))
    async with anyio.create_task_group() as tg:

        async def answer() -> None:
            while not broker.pending:
                await anyio.sleep(0.001)
            assert await broker.resolve("call_1", True, remember="session")

        tg.start_soon(answer)
        first = await broker.decide(_call())
    assert (first.approve, first.decided_by) == (True, "user")
    again = await broker.decide(_call())  # nobody answers: only the memory can approve it
    assert (again.approve, again.decided_by) == (True, "remembered")


_LONG = ValueError("x" * 500)  # said in at most 200 characters of message


async def test_a_predicate_that_raises_is_refused_saying_what_it_raised() -> None:
    broker, events = _broker()
    request = _call()

    def raises(ctx: object, arguments: object) -> bool:
        raise _LONG

    decision = await broker.authorize(lambda: request, raises, None)
    assert (decision.approve, decision.decided_by) == (False, "error")
    assert decision.reason == f"needs_approval raised {root_cause(_LONG, 200)}"
    assert [e.request for e in events] == [request, request]


async def test_a_rule_that_raises_is_logged_by_its_kind_not_its_message(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def when(arguments: dict[str, Any]) -> bool:
        return int(arguments["card"]) < 10  # the card number ends up in the error's message

    broker, _ = _broker(ApprovalPolicy(rules=[allow(tool="book", when=when)], timeout=1))
    request = ApprovalRequest.for_call(
        "call_1", "book", {"card": "4111-1111"}, server_label=None, read_only=None, agent="a"
    )
    decision = await broker.decide(request)
    assert (decision.approve, decision.decided_by) == (False, "error")
    assert "approval of 'book' failed (ValueError): denied" in caplog.messages
    assert not [m for m in caplog.messages if "4111" in m]


async def test_a_predicate_that_answers_a_non_bool_is_refused_and_reported() -> None:
    broker, events = _broker()
    request = _call()
    decision = await broker.authorize(lambda: request, lambda ctx, arguments: "yes", None)
    assert decision.reason == "needs_approval returned 'yes', not True or False"
    assert [e.request for e in events] == [request, request]


async def test_a_handler_that_raises_denies_and_is_logged_briefly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def handler(request: ApprovalRequest) -> bool:
        raise _LONG

    broker, _ = _broker(ApprovalPolicy(handler=handler, timeout=2))
    decision = await broker.decide(_call())
    said = root_cause(_LONG, 200)
    assert decision.reason == f"the approval handler failed: {said}"
    # The log says what kind of error it was, never its message (it may quote arguments).
    kind = type(_LONG).__name__
    assert f"approval handler failed for 'book' ({kind}): denied" in caplog.messages
    assert not [m for m in caplog.messages if str(_LONG)[:20] in m]


async def test_sync_handlers_run_at_most_sixteen_at_once() -> None:
    running, most = 0, 0
    lock = threading.Lock()

    def handler(request: ApprovalRequest) -> bool:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.1)
        with lock:
            running -= 1
        return True

    broker, _ = _broker(ApprovalPolicy(handler=handler, timeout=2))
    async with anyio.create_task_group() as tg:
        for n in range(20):
            tg.start_soon(broker.decide, _call(tool=f"t{n}"))
    assert most == 16


async def test_an_async_handler_is_asked_about_the_request() -> None:
    async def handler(request: ApprovalRequest) -> bool:
        return request.tool_name == "book"

    broker, _ = _broker(ApprovalPolicy(handler=handler, timeout=2))
    assert (await broker.decide(_call())).approve is True
    assert (await broker.decide(_call(tool="refund"))).approve is False


def test_a_decision_with_a_non_bool_approve_is_shown() -> None:
    reason = verdict(Decision("yes"), "handler").reason  # type: ignore[arg-type]
    assert reason is not None and "answered Decision(approve='yes')" in reason


def test_a_plain_yes_is_credited_to_whoever_gave_it() -> None:
    assert verdict(True, "user").decided_by == "user"


def test_the_same_arguments_in_another_order_share_a_fingerprint() -> None:
    def request(arguments: dict[str, Any]) -> ApprovalRequest:
        return ApprovalRequest.for_call(
            "c", "book", arguments, server_label=None, read_only=None, agent=None
        )

    assert request({"a": 1, "b": 2}).fingerprint() == request({"b": 2, "a": 1}).fingerprint()


async def test_a_sync_handler_past_the_timeout_is_abandoned_not_waited_for() -> None:
    def handler(request: ApprovalRequest) -> bool:
        time.sleep(1)
        return True

    broker, _ = _broker(ApprovalPolicy(handler=handler, timeout=0.05))
    with anyio.fail_after(0.5):  # the thread sleeps on; the decision does not wait for it
        decision = await broker.decide(_call())
    assert decision.decided_by == "timeout"


async def test_a_sync_handler_may_return_an_awaitable() -> None:
    async def yes() -> bool:
        return True

    broker, _ = _broker(ApprovalPolicy(handler=lambda request: yes(), timeout=1))
    assert (await broker.decide(_call())).approve is True


def test_any_matching_rule_counts_unless_the_server_must_be_named() -> None:
    rule = allow(tool="book")
    assert ApprovalPolicy(rules=[rule]).rule_for(_call()) is rule


async def test_a_rule_naming_an_unconfigured_hosted_server_decides_it_even_if_unnamed() -> None:
    # The label "" is nothing the agent configured: only a rule naming "" itself counts (or a
    # deny that matches it), and the ask rules before it that do not name it are passed over.
    request = ApprovalRequest.for_hosted("r", "", "search", "{}", read_only=None, agent=None)
    broker, _ = _broker(ApprovalPolicy(rules=[ask(tool="search"), allow(server="")], timeout=1))
    decision = await broker.decide(request)
    assert (decision.approve, decision.decided_by) == (True, "rule")
    broker, _ = _broker(ApprovalPolicy(rules=[deny(tool="search"), allow(server="")], timeout=1))
    decision = await broker.decide(request)
    assert (decision.approve, decision.decided_by) == (False, "rule")


# -- the policy's own checks ------------------------------------------------------------------


def test_a_policy_waits_a_minute_and_denies_by_default() -> None:
    policy = ApprovalPolicy()
    assert (policy.rules, policy.handler, policy.default, policy.timeout) == ([], None, "deny", 60)


@pytest.mark.parametrize(
    ("settings", "error", "message"),
    [
        (
            {"default": "allow"},
            ValueError,
            "default='allow' is not supported: a request nobody answered is always denied. "
            "To approve what no other rule matches, end the rules with allow().",
        ),
        ({"timeout": 0}, ValueError, "timeout must be positive (seconds), got 0"),
        ({"handler": 42}, TypeError, "the approval handler must be callable, not 42"),
    ],
)
def test_a_policy_that_could_not_decide_safely_is_refused_saying_why(
    settings: dict[str, Any], error: type[Exception], message: str
) -> None:
    """A policy that would approve by default, never wait, or call what cannot be called is
    an error when it is made, not a surprise when a request comes."""
    with pytest.raises(error) as raised:
        ApprovalPolicy(**settings)
    assert str(raised.value) == message


def test_arguments_that_are_not_json_still_have_a_fingerprint() -> None:
    """A function tool's arguments after coercion may hold values JSON cannot (a date): they
    are fingerprinted by their text, so that a decision can still be remembered."""

    def request(day: datetime.date) -> ApprovalRequest:
        return ApprovalRequest.for_call(
            "c", "book", {"day": day}, server_label=None, read_only=None, agent=None
        )

    fingerprint = request(datetime.date(2026, 1, 2)).fingerprint()
    assert fingerprint is not None
    assert fingerprint == request(datetime.date(2026, 1, 2)).fingerprint()
    assert fingerprint != request(datetime.date(2026, 1, 3)).fingerprint()


async def test_a_targeted_deny_whose_predicate_raises_stops_a_call_that_needs_no_approval() -> None:
    def broken(arguments: dict[str, Any]) -> bool:
        raise KeyError("amount")

    broker, events = _broker(ApprovalPolicy(rules=[deny(when=broken)], timeout=1))
    decision = await broker.authorize(_call, False, None)
    assert (decision.approve, decision.decided_by) == (False, "error")
    assert [type(e) for e in events] == [ApprovalRequested, ApprovalDecided]


async def test_a_call_that_needs_no_approval_is_not_told_when_no_deny_matches() -> None:
    broker, events = _broker(ApprovalPolicy(rules=[deny(tool="other"), ask()], timeout=1))
    assert await broker.authorize(_call, False, None) is NOT_REQUIRED
    assert events == []


def _when_broken(arguments: dict[str, Any]) -> bool:
    raise KeyError("amount")


async def test_a_screened_call_is_reported_with_its_request_and_the_reason() -> None:
    request = _call()
    broker, events = _broker(ApprovalPolicy(rules=[deny(when=_when_broken)], timeout=1))
    decision = await broker.authorize(lambda: request, False, None)
    assert decision == Decision(
        False, "the approval could not be decided: KeyError: 'amount'", decided_by="error"
    )
    assert all(e.request is request for e in events)
    broker, events = _broker(ApprovalPolicy(rules=[deny(tool="book", reason="never")], timeout=1))
    decision = await broker.authorize(lambda: request, False, None)
    assert decision == Decision(False, "never", decided_by="rule")
    assert [e.request for e in events] == [request, request]


async def test_a_check_that_waives_still_meets_a_targeted_deny() -> None:
    def waives(ctx: object, arguments: object) -> bool:
        return False

    broker, _ = _broker(ApprovalPolicy(rules=[deny(tool="book", reason="never")], timeout=1))
    assert await broker.authorize(_call, waives, None) == Decision(
        False, "never", decided_by="rule"
    )
    broker, _ = _broker(ApprovalPolicy(rules=[deny(tool="other")], timeout=1))
    assert await broker.authorize(_call, waives, None) is NOT_REQUIRED


async def test_a_screened_calls_failure_is_told_as_far_as_the_limit() -> None:
    error = KeyError("x" * 300)

    def long_failure(arguments: dict[str, Any]) -> bool:
        raise error

    broker, _ = _broker(ApprovalPolicy(rules=[deny(when=long_failure)], timeout=1))
    decision = await broker.authorize(_call, False, None)
    assert decision.reason == f"the approval could not be decided: {root_cause(error, 200)}"


async def test_what_a_session_remembers_is_bounded_and_small() -> None:
    """A handler that remembers every call (``save_note(text)``) must not grow the session
    by each call's arguments for ever: the latest 1,024 answers are kept, each under a
    digest; the oldest is asked about again."""
    asked: list[str] = []

    def handler(request: ApprovalRequest) -> Decision:
        asked.append(request.arguments["text"])
        return Decision(True, remember="session")

    broker, _ = _broker(ApprovalPolicy(handler=handler, timeout=1))

    def note(text: str) -> ApprovalRequest:
        return ApprovalRequest.for_call(
            "c", "save_note", {"text": text}, server_label=None, read_only=None, agent=None
        )

    for n in range(1025):
        assert (await broker.decide(note(f"{n}" * 50))).approve is True
    assert (await broker.decide(note("1" * 50))).decided_by == "remembered"  # kept
    assert (await broker.decide(note("0" * 50))).decided_by == "handler"  # the oldest: gone
    assert len(asked) == 1026
    assert all(len(key) <= 64 for key in broker._memory)


async def test_the_apps_switch_denies_a_request_that_waits_saying_why() -> None:
    broker, events = _broker(ApprovalPolicy(timeout=5))  # no handler: it waits for the app
    decided: list[Decision] = []

    async def wait() -> None:
        decided.append(await broker.decide(_call()))

    broker.withdraw()  # nothing waits: nothing happens
    async with anyio.create_task_group() as tg:
        tg.start_soon(wait)
        with anyio.fail_after(2):
            while not broker.pending:
                await anyio.sleep(0.01)
        broker.withdraw()
    [decision] = decided
    assert (decision.approve, decision.decided_by) == (False, "cancelled")
    assert decision.reason == (
        "the agent changed while it waited for approval (update_agent): not approved"
    )
    assert [type(e).__name__ for e in events][-1] == "ApprovalDecided"
    assert events[-1].reason == decision.reason
