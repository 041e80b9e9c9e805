"""A call is decided by the policy of the agent it was made for (``policy=``): after a
handoff, the session follows the new agent's policy, but a call of the response made for
the leaving agent is still decided by the leaving agent's rules, handler and timeout, and
never by what the session remembers (nor remembered for it). Driven directly, no session."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from rtagents import ApprovalPolicy, ApprovalRequest, Decision, allow, deny
from rtagents.approvals.broker import NOT_REQUIRED, ApprovalBroker
from rtagents.mcp import HostedMCP

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(5)]


def _call(tool: str = "note") -> ApprovalRequest:
    return ApprovalRequest.for_call(
        "call_1", tool, {"n": 1}, server_label=None, read_only=None, agent="triage"
    )


def _broker(session: ApprovalPolicy) -> ApprovalBroker:
    return ApprovalBroker(session, lambda event: None)


STRICT = ApprovalPolicy(rules=[deny(tool="note", reason="the leaving agent's rule")])
LAX = ApprovalPolicy(rules=[allow(tool="*")])


async def test_the_calls_own_policy_decides_not_the_sessions() -> None:
    broker = _broker(LAX)
    decision = await broker.decide(_call(), STRICT)
    assert (decision.approve, decision.reason) == (False, "the leaving agent's rule")
    assert (await broker.decide(_call())).approve is True  # the session's, without it


async def test_a_waived_call_meets_the_calls_own_deny_rules() -> None:
    broker = _broker(LAX)
    denied = await broker.authorize(_call, False, None, STRICT)
    assert (denied.approve, denied.reason) == (False, "the leaving agent's rule")
    # The other way round: the session's deny does not reach a call of a lax agent.
    broker = _broker(STRICT)
    assert await broker.authorize(_call, False, None, LAX) is NOT_REQUIRED


async def test_a_check_that_waives_meets_the_calls_own_deny_rules() -> None:
    async def not_needed(ctx: Any, arguments: Any) -> bool:
        return False

    denied = await _broker(LAX).authorize(_call, not_needed, None, STRICT)
    assert (denied.approve, denied.reason) == (False, "the leaving agent's rule")


async def test_a_check_is_timed_by_the_calls_own_policy() -> None:
    async def hangs(ctx: Any, arguments: Any) -> bool:
        await anyio.sleep(10)
        return False

    quick = ApprovalPolicy(timeout=0.05)
    with anyio.fail_after(2):
        decision = await _broker(ApprovalPolicy(timeout=60)).authorize(_call, hangs, None, quick)
    assert (decision.approve, decision.decided_by) == (False, "timeout")
    assert "0.05 s" in (decision.reason or "")


async def test_the_calls_own_handler_is_asked_within_its_own_timeout() -> None:
    asked: list[str] = []

    async def session_handler(request: ApprovalRequest) -> bool:
        asked.append("session")
        return True

    async def leaving_handler(request: ApprovalRequest) -> bool:
        asked.append("leaving")
        await anyio.sleep(10)
        return True

    broker = _broker(ApprovalPolicy(handler=session_handler, timeout=60))
    leaving = ApprovalPolicy(handler=leaving_handler, timeout=0.05)
    with anyio.fail_after(2):
        decision = await broker.decide(_call(), leaving)
    assert asked == ["leaving"]
    assert (decision.approve, decision.decided_by) == (False, "timeout")


async def test_with_no_handler_the_call_waits_for_an_outside_answer_by_its_own_timeout() -> None:
    async def session_handler(request: ApprovalRequest) -> bool:
        return True

    broker = _broker(ApprovalPolicy(handler=session_handler, timeout=60))
    with anyio.fail_after(2):
        decision = await broker.decide(_call(), ApprovalPolicy(timeout=0.05))
    assert (decision.approve, decision.decided_by) == (False, "timeout")


async def test_what_the_session_remembers_is_neither_read_nor_written() -> None:
    async def yes_always(request: ApprovalRequest) -> Decision:
        return Decision(True, remember="session")

    async def no(request: ApprovalRequest) -> bool:
        return False

    # Remembered under the session's policy: not for a call of another agent's.
    broker = _broker(ApprovalPolicy(handler=yes_always))
    assert (await broker.decide(_call())).approve is True
    other = await broker.decide(_call(), ApprovalPolicy(handler=no))
    assert (other.approve, other.decided_by) == (False, "handler")
    # Remembered under another agent's policy: not for the session's calls.
    broker = _broker(ApprovalPolicy(handler=no))
    assert (await broker.decide(_call(), ApprovalPolicy(handler=yes_always))).approve is True
    mine = await broker.decide(_call())
    assert (mine.approve, mine.decided_by) == (False, "handler")


async def test_the_sessions_own_policy_passed_in_remembers_as_ever() -> None:
    async def yes_always(request: ApprovalRequest) -> Decision:
        return Decision(True, remember="session")

    policy = ApprovalPolicy(handler=yes_always)
    broker = _broker(policy)
    assert (await broker.decide(_call(), policy)).approve is True
    again = await broker.decide(_call(), policy)
    assert (again.approve, again.decided_by) == (True, "remembered")


async def test_a_call_that_needs_approval_is_decided_by_its_own_policy() -> None:
    async def needed(ctx: Any, arguments: Any) -> bool:
        return True

    for check in (True, needed):
        denied = await _broker(LAX).authorize(_call, check, None, STRICT)
        assert (denied.approve, denied.reason) == (False, "the leaving agent's rule")


async def test_a_decision_pending_across_a_handoff_to_the_same_policy_is_not_remembered() -> None:
    # Two agents may share one policy object: the session's memory is still cleared when it
    # takes the other, and a yes pending across that is not remembered.
    release = anyio.Event()

    async def slow_yes(request: ApprovalRequest) -> Decision:
        await release.wait()
        return Decision(True, remember="session")

    shared = ApprovalPolicy(handler=slow_yes, timeout=5)
    broker = _broker(ApprovalPolicy())
    broker.follow(shared)  # a first handoff
    async with anyio.create_task_group() as tg:
        tg.start_soon(broker.decide, _call())
        await anyio.sleep(0.05)
        broker.follow(shared)  # a second, to an agent with the same policy
        release.set()
    with anyio.fail_after(2):  # asked again (it says yes at once, now released)
        again = await broker.decide(_call())
    assert (again.approve, again.decided_by) == (True, "handler")


def _hosted(tool: str) -> ApprovalRequest:
    return ApprovalRequest.for_hosted("mcpr_1", "docs", tool, "{}", read_only=None, agent="triage")


async def test_a_hosted_request_is_checked_against_the_calls_own_servers() -> None:
    everything = HostedMCP(server_label="docs", server_url="https://docs.example/mcp")
    only_search = HostedMCP(
        server_label="docs", server_url="https://docs.example/mcp", allowed_tools=["search"]
    )
    broker = ApprovalBroker(LAX, lambda event: None, lambda: {"docs": everything})
    by_label = ApprovalPolicy(rules=[allow(server="docs")])
    # The session's servers would let it through; the call's agent left the tool out.
    left_out = await broker.decide(_hosted("delete_all"), by_label, {"docs": only_search})
    assert (left_out.approve, left_out.decided_by) == (False, "rule")
    assert "allowed_tools" in (left_out.reason or "")
    # ... or had no such server at all.
    anything = ApprovalPolicy(rules=[allow(tool="*")])  # (names no server)
    unknown = await broker.decide(_hosted("search"), anything, {})
    assert unknown.approve is False and "not one this agent configured" in (unknown.reason or "")
    # Within its own servers, its own policy decides.
    kept = await broker.decide(_hosted("search"), by_label, {"docs": only_search})
    assert kept.approve is True
    # Without them, the session's servers are what it is checked against.
    assert (await broker.decide(_hosted("delete_all"), by_label)).approve is True


def refund(call_id: str) -> ApprovalRequest:
    return ApprovalRequest.for_call(
        call_id, "refund", {"amount": 500}, server_label=None, read_only=None, agent="triage"
    )


async def test_a_yes_for_the_leaving_agents_call_is_not_remembered_when_neither_has_a_policy() -> (
    None
):
    """Two agents with no ``approval=`` (the default: deny unless someone answers yes). A
    call of the first, decided after the handoff by its own policy: a supervisor says yes,
    ``remember="session"``. That yes is the leaving agent's call's: it is not remembered for
    the session, and the next agent's identical call is not approved by it. (With one
    default policy shared by every agent, the broker took the call's policy for its own.)"""
    broker = ApprovalBroker(None, lambda event: None)
    leaving = broker.policy  # what the first agent's CallSettings keeps
    broker.follow(None)  # the handoff: the next agent, no approval= either
    decided: list[Decision] = []

    async def decide() -> None:
        decided.append(await broker.decide(refund("call_1"), leaving))

    async with anyio.create_task_group() as tg:
        tg.start_soon(decide)
        await anyio.sleep(0.05)
        assert await broker.resolve("call_1", True, remember="session")
    assert decided[0].approve is True
    with anyio.move_on_after(0.3):  # nobody answers the next agent's call: it waits, denied
        mine = await broker.decide(refund("call_2"))
        assert (mine.approve, mine.decided_by) != (True, "remembered"), "approved from memory"
