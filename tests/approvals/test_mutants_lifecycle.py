"""The gate's ends, driven directly (no session): a request decided before the policy, at
the session's close, on cancellation, from memory, or when the policy breaks after an
answer came. Written to kill the mutants of rtagents/approvals/ that `make mutate` found
alive; each pins a rule, not a line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio
import anyio.abc
import pytest

from rtagents import ApprovalPolicy, ApprovalRequest, Decision
from rtagents.approvals import (
    ApprovalAwaiting,
    ApprovalDecided,
    ApprovalRequested,
    allow,
    ask,
    deny,
)
from rtagents.approvals.broker import ApprovalBroker
from rtagents.errors import root_cause
from rtagents.mcp import HostedMCP

# A mutant may make the gate wait for an answer nobody gives (past any policy timeout when
# the clock never starts): each test here takes well under a second, and fails after five.
pytestmark = [pytest.mark.anyio, pytest.mark.timeout(5)]


def _call() -> ApprovalRequest:
    return ApprovalRequest.for_call(
        "call_1", "book", {"n": 1}, server_label=None, read_only=None, agent=None
    )


def _hosted(request_id: str, server: str, arguments: str = "{}") -> ApprovalRequest:
    return ApprovalRequest.for_hosted(
        request_id, server, "search", arguments, read_only=None, agent=None
    )


DOCS = {"docs": HostedMCP("docs", "https://mcp.example/mcp")}


def _broker(
    policy: ApprovalPolicy, servers: Callable[[], Any] = dict
) -> tuple[ApprovalBroker, list[Any]]:
    events: list[Any] = []
    return ApprovalBroker(policy, events.append, servers), events


def _decided(events: list[Any]) -> list[tuple[bool, str | None, str]]:
    return [(e.approve, e.reason, e.decided_by) for e in events if isinstance(e, ApprovalDecided)]


async def _deciding(
    tg: anyio.abc.TaskGroup, broker: ApprovalBroker, request: ApprovalRequest
) -> list[Decision]:
    """``broker.decide(request)`` started in ``tg``, once it waits: its decision lands in the
    list returned."""
    decisions: list[Decision] = []

    async def decide() -> None:
        decisions.append(await broker.decide(request))

    tg.start_soon(decide)
    await anyio.wait_all_tasks_blocked()
    assert broker.pending == [request]
    return decisions


# -- an outside answer ------------------------------------------------------------------------


async def test_a_request_left_to_an_outside_answer_is_announced_once() -> None:
    """With no handler the policy leaves the request to ``session.approve``/``deny`` and
    says so, once, naming the request (a UI shows it from that event)."""
    request = _call()
    broker, events = _broker(ApprovalPolicy(timeout=2))
    async with anyio.create_task_group() as tg:
        decisions = await _deciding(tg, broker, request)
        assert [type(e) for e in events] == [ApprovalRequested, ApprovalAwaiting]
        assert events[1].request is request
        assert await broker.resolve("call_1", True)
    assert decisions == [Decision(True, decided_by="user")]
    assert [type(e) for e in events] == [ApprovalRequested, ApprovalAwaiting, ApprovalDecided]


async def test_a_handler_that_answers_none_leaves_the_request_to_an_outside_answer() -> None:
    """``None`` from the handler is not a no: the request waits for ``session.approve``."""

    async def undecided(request: ApprovalRequest) -> None:
        return None

    broker, events = _broker(ApprovalPolicy(handler=undecided, timeout=2))
    async with anyio.create_task_group() as tg:
        decisions = await _deciding(tg, broker, _call())
        assert [type(e) for e in events] == [ApprovalRequested, ApprovalAwaiting]
        assert await broker.resolve("call_1", True)
    assert decisions == [Decision(True, decided_by="user")]


async def test_nobody_answering_in_time_denies_saying_so() -> None:
    broker, _ = _broker(ApprovalPolicy(timeout=0.05))
    decision = await broker.decide(_call())
    assert decision == Decision(False, "nobody approved it within 0.05 s", decided_by="timeout")


# -- the session's close ----------------------------------------------------------------------


async def test_the_close_denies_a_waiting_request_once_as_closed() -> None:
    """A request still waiting when the session closes is denied by the close, and reported
    once, at once (its task is about to be cancelled with the session)."""
    broker, events = _broker(ApprovalPolicy(timeout=2))
    async with anyio.create_task_group() as tg:
        decisions = await _deciding(tg, broker, _call())
        broker.close()
        assert _decided(events) == [(False, "the session closed", "close")]
    assert decisions == [Decision(False, "the session closed", decided_by="close")]
    assert _decided(events) == [(False, "the session closed", "close")]


async def test_a_request_after_the_close_is_denied_as_closing() -> None:
    """Once closed, nothing is approved any more, whatever the rules say."""
    broker, events = _broker(ApprovalPolicy(rules=[allow()], timeout=1))
    broker.close()
    decision = await broker.decide(_call())
    assert decision == Decision(False, "the session is closing", decided_by="close")
    assert _decided(events) == [(False, "the session is closing", "close")]


async def test_a_no_given_just_before_the_close_is_the_decision_reported() -> None:
    """The first answer wins: a no from outside, then the close before the waiting call ran
    again, is reported as that no, not as the close."""
    broker, events = _broker(ApprovalPolicy(timeout=2))
    async with anyio.create_task_group() as tg:
        decisions = await _deciding(tg, broker, _call())
        assert await broker.resolve("call_1", False, "not that one")
        broker.close()
    assert decisions == [Decision(False, "not that one", decided_by="user")]
    assert _decided(events) == [(False, "not that one", "user")]


# -- cancellation -----------------------------------------------------------------------------


async def test_a_cancelled_request_is_reported_as_cancelled_and_a_waiting_yes_loses() -> None:
    """A call cancelled while its handler still decides is reported as cancelled; a yes from
    outside that was waiting for the handler does not decide it."""

    async def slow(request: ApprovalRequest) -> bool:
        await anyio.sleep(10)
        return True

    broker, events = _broker(ApprovalPolicy(handler=slow, timeout=2))
    yes: list[bool] = []

    async def approve() -> None:
        yes.append(await broker.resolve("call_1", True))

    async with anyio.create_task_group() as outer:
        async with anyio.create_task_group() as tg:
            await _deciding(tg, broker, _call())
            outer.start_soon(approve)
            await anyio.wait_all_tasks_blocked()  # the yes waits for the handler
            tg.cancel_scope.cancel()
    assert yes == [False]
    assert _decided(events) == [(False, "the call was cancelled (cancelled)", "cancelled")]
    assert broker.pending == []


# -- the policy, and what it never reaches ----------------------------------------------------


async def test_a_request_whose_arguments_cannot_be_read_is_denied_saying_why() -> None:
    """Arguments that are not a JSON object are denied before any rule is asked (a rule
    cannot check what it cannot read)."""
    request = _hosted("r1", "docs", "not json")
    broker, _ = _broker(ApprovalPolicy(rules=[allow()], timeout=1), lambda: DOCS)
    decision = await broker.decide(request)
    reason = f"the arguments cannot be checked: {request.problem}"
    assert decision == Decision(False, reason, decided_by="error")


async def test_a_hosted_server_the_agent_never_configured_is_denied_by_rule() -> None:
    """A hosted request from a server the agent did not configure is denied, saying so,
    unless a rule names that server."""
    broker, _ = _broker(ApprovalPolicy(rules=[allow()], timeout=1), lambda: DOCS)
    decision = await broker.decide(_hosted("r1", "evil"))
    reason = "the hosted MCP server 'evil' is not one this agent configured, and no rule names it"
    assert decision == Decision(False, reason, decided_by="rule")


async def test_a_remembered_yes_does_not_outlive_the_servers_configuration() -> None:
    """A yes remembered for the session approves identical requests, and says it stands for
    the session; once the agent no longer has that hosted server, it approves nothing."""
    servers = dict(DOCS)

    async def handler(request: ApprovalRequest) -> Decision:
        return Decision(True, remember="session")

    broker, _ = _broker(ApprovalPolicy(handler=handler, timeout=1), lambda: servers)
    assert (await broker.decide(_hosted("r1", "docs"))).decided_by == "handler"
    again = await broker.decide(_hosted("r2", "docs"))
    assert again == Decision(True, None, "session", "remembered")
    servers.clear()
    gone = await broker.decide(_hosted("r3", "docs"))
    assert (gone.approve, gone.decided_by) == (False, "rule")


async def test_a_check_that_wants_approval_sends_the_request_to_the_policy() -> None:
    """A ``needs_approval`` predicate is asked with the call's context and arguments; its
    ``True`` sends the request to the policy (here a rule's no, with the rule's reason),
    never past it."""
    seen: list[Any] = []

    def needs_approval(ctx: object, arguments: dict[str, Any]) -> bool:
        seen.append((ctx, arguments))
        return True

    broker, _ = _broker(ApprovalPolicy(rules=[deny(reason="not today")], timeout=1))
    decision = await broker.authorize(_call, needs_approval, "the ctx")
    assert decision == Decision(False, "not today", decided_by="rule")
    assert seen == [("the ctx", {"n": 1})]


async def test_an_ask_rule_sends_the_request_to_the_handler() -> None:
    async def handler(request: ApprovalRequest) -> bool:
        return True

    broker, _ = _broker(ApprovalPolicy(rules=[ask(tool="book")], handler=handler, timeout=1))
    assert await broker.decide(_call()) == Decision(True, decided_by="handler")


async def test_a_remembered_no_keeps_its_reason() -> None:
    """The model is told why, the second time too."""

    async def handler(request: ApprovalRequest) -> Decision:
        return Decision(False, "not again", remember="session")

    broker, _ = _broker(ApprovalPolicy(handler=handler, timeout=1))
    assert (await broker.decide(_call())).decided_by == "handler"
    assert await broker.decide(_call()) == Decision(False, "not again", "session", "remembered")


_LONG = ValueError("x" * 500)


async def test_a_rule_that_raises_denies_saying_briefly_what_it_raised() -> None:
    """A rule's ``when`` that raises makes a deny by ``error``, its cause cut at 200
    characters."""

    def breaks(arguments: dict[str, Any]) -> bool:
        raise _LONG

    broker, _ = _broker(ApprovalPolicy(rules=[allow(when=breaks)], timeout=1))
    decision = await broker.decide(_call())
    reason = f"the approval could not be decided: {root_cause(_LONG, 200)}"
    assert decision == Decision(False, reason, decided_by="error")


class _Unequal:
    def __eq__(self, other: object) -> bool:
        raise RuntimeError("no comparing me")

    __hash__ = object.__hash__


async def test_the_first_answer_wins_even_when_the_policy_then_breaks() -> None:
    """A no from outside, then a handler whose answer breaks the gate: the no stands, and is
    what is reported and returned."""
    broker: ApprovalBroker

    async def handler(request: ApprovalRequest) -> Decision:
        assert await broker.resolve("call_1", False, "stop")
        return Decision(True, remember=_Unequal())  # type: ignore[arg-type]

    broker, events = _broker(ApprovalPolicy(handler=handler, timeout=2))
    decision = await broker.decide(_call())
    assert decision == Decision(False, "stop", decided_by="user")
    assert _decided(events) == [(False, "stop", "user")]


async def test_a_decided_request_leaves_nothing_behind() -> None:
    """A long session's gate keeps nothing of a request once it is decided (only what is
    remembered for the session)."""
    broker, _ = _broker(ApprovalPolicy(rules=[allow()], timeout=1))
    for _ in range(3):
        assert (await broker.decide(_call())).approve is True
    assert broker._pending == {}


# -- a hosted tool its server's allowed_tools leave out ------------------------------------------


def _search_only(allowed: Any) -> dict[str, HostedMCP]:
    return {"docs": HostedMCP("docs", "https://mcp.example/mcp", allowed_tools=allowed)}


@pytest.mark.parametrize(
    "allowed",
    [["lookup"], {"tool_names": ["lookup"]}, {"read_only": True}, {"read_only": False}],
    ids=str,
)
async def test_a_tool_the_servers_allowed_tools_leave_out_is_denied_by_rule(allowed: Any) -> None:
    """A request for a tool the configuration does not let the server offer is not judged by
    rules that match it only through a wildcard or none, even a rule naming its server."""
    policy = ApprovalPolicy(rules=[allow(server="docs"), allow(tool="se*")], timeout=1)
    broker, _ = _broker(policy, lambda: _search_only(allowed))
    decision = await broker.decide(_hosted("r1", "docs"))  # "search", read_only unknown
    reason = (
        "'search' is not among the allowed_tools this agent configured for the hosted MCP "
        "server 'docs', and no rule names it"
    )
    assert decision == Decision(False, reason, decided_by="rule")


async def test_a_rule_naming_a_tool_left_out_decides_it() -> None:
    # The allow and ask rules before it that do not name it are passed over, not an end to
    # the search (an ask would deny it); a deny that matches it meets it (the next test).
    rules = [ask(server="docs"), allow(tool="search", reason="named")]
    policy = ApprovalPolicy(rules=rules, timeout=1)
    broker, _ = _broker(policy, lambda: _search_only(["lookup"]))
    assert (await broker.decide(_hosted("r1", "docs"))).approve is True


async def test_a_deny_that_matches_a_tool_left_out_meets_it_before_a_rule_naming_it() -> None:
    rules = [deny(server="docs"), allow(tool="search", reason="named")]
    policy = ApprovalPolicy(rules=rules, timeout=1)
    broker, _ = _broker(policy, lambda: _search_only(["lookup"]))
    decision = await broker.decide(_hosted("r1", "docs"))
    assert (decision.approve, decision.decided_by) == (False, "rule")


@pytest.mark.parametrize("allowed", [None, ["search"], {"tool_names": ["search", "lookup"]}])
async def test_a_tool_the_servers_allowed_tools_let_through_is_judged_as_usual(
    allowed: Any,
) -> None:
    policy = ApprovalPolicy(rules=[allow(server="docs")], timeout=1)
    broker, _ = _broker(policy, lambda: _search_only(allowed))
    assert (await broker.decide(_hosted("r1", "docs"))).approve is True


@pytest.mark.parametrize(("hint", "passes"), [(True, True), (False, False), (None, False)])
@pytest.mark.parametrize("only", [True, False])
async def test_a_read_only_filter_lets_through_only_tools_with_that_hint(
    only: bool, hint: bool | None, passes: bool
) -> None:
    policy = ApprovalPolicy(rules=[allow(server="docs")], timeout=1)
    broker, _ = _broker(policy, lambda: _search_only({"read_only": only}))
    request = ApprovalRequest.for_hosted("r1", "docs", "search", "{}", read_only=hint, agent=None)
    expected = passes if only else hint is False  # an unknown hint matches neither
    assert (await broker.decide(request)).approve is expected
