"""Two rules of the approval broker, sans I/O (``make mutate`` runs these):

- A request stopped (``stop``: an input guardrail stopped its turn) is denied as cancelled,
  at once if it is pending, else as it comes, once; the policy never decides it.
- The session's memory (``remember="session"``) is its current agent's: a request of another
  agent (a call kept for the agent that handed off, sharing its policy object) neither
  reads it nor writes it."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from rtagents import ApprovalPolicy, ApprovalRequest, Decision, allow
from rtagents.approvals import ApprovalDecided
from rtagents.approvals.broker import ApprovalBroker

pytestmark = pytest.mark.anyio


def request(request_id: str = "r1", agent: Any = "a") -> ApprovalRequest:
    return ApprovalRequest.for_call(
        request_id, "book", {"n": 1}, server_label=None, read_only=None, agent=agent
    )


def decided(events: list[Any]) -> list[tuple[str, bool, str]]:
    return [
        (e.request.id, e.approve, e.decided_by) for e in events if isinstance(e, ApprovalDecided)
    ]


async def test_a_pending_request_stopped_is_denied_as_cancelled_at_once() -> None:
    asked = anyio.Event()

    async def slow_yes(req: ApprovalRequest) -> bool:
        asked.set()
        await anyio.sleep(5)
        return True

    events: list[Any] = []
    broker = ApprovalBroker(ApprovalPolicy(handler=slow_yes, timeout=10), events.append)
    results: list[Decision] = []
    with anyio.fail_after(2):
        async with anyio.create_task_group() as tg:

            async def decide() -> None:
                results.append(await broker.decide(request()))

            tg.start_soon(decide)
            await asked.wait()
            broker.stop("r1")
    assert [(d.approve, d.decided_by) for d in results] == [(False, "cancelled")]
    assert decided(events) == [("r1", False, "cancelled")]
    assert broker.pending == []


async def test_a_request_stopped_before_it_is_asked_is_denied_once() -> None:
    events: list[Any] = []
    broker = ApprovalBroker(ApprovalPolicy(rules=[allow()]), events.append)
    broker.stop("r1")
    first = await broker.decide(request("r1"))
    again = await broker.decide(request("r1"))
    other = await broker.decide(request("r2"))
    assert (first.approve, first.decided_by) == (False, "cancelled")
    assert (again.approve, other.approve) == (True, True)
    assert decided(events) == [
        ("r1", False, "cancelled"),
        ("r1", True, "rule"),
        ("r2", True, "rule"),
    ]


async def test_the_stopped_requests_kept_are_bounded_the_oldest_going_first() -> None:
    broker = ApprovalBroker(ApprovalPolicy(rules=[allow()]), lambda e: None)
    for n in range(256):  # as many as are kept: all of them are
        broker.stop(f"s{n}")
    assert (await broker.decide(request("s0"))).approve is False
    for n in range(256, 300):
        broker.stop(f"s{n}")
    assert (await broker.decide(request("s1"))).approve is True  # let go of
    assert (await broker.decide(request("s299"))).approve is False  # still kept


def remembering(answers: list[str]) -> ApprovalPolicy:
    def yes(req: ApprovalRequest) -> Decision:
        answers.append(req.id)
        return Decision(True, remember="session")

    return ApprovalPolicy(handler=yes)


async def test_the_memory_is_the_current_agents_only() -> None:
    answers: list[str] = []
    policy = remembering(answers)
    broker = ApprovalBroker(policy, lambda e: None, agent="billing")
    # A call kept for the agent that handed off ("desk"): its yes is not remembered ...
    assert (await broker.decide(request("c1", agent="desk"))).decided_by == "handler"
    assert (await broker.decide(request("c2", agent="billing"))).decided_by == "handler"
    # ... the current agent's is, and is read for it only.
    assert (await broker.decide(request("c3", agent="billing"))).decided_by == "remembered"
    assert (await broker.decide(request("c4", agent="desk"))).decided_by == "handler"
    assert answers == ["c1", "c2", "c4"]


async def test_following_the_same_policy_again_keeps_the_memory_for_the_agent_given() -> None:
    answers: list[str] = []
    policy = remembering(answers)
    broker = ApprovalBroker(policy, lambda e: None, agent="desk")
    await broker.decide(request("c1", agent="desk"))
    broker.follow(policy, "billing")  # a handoff: forgotten
    assert (await broker.decide(request("c2", agent="billing"))).decided_by == "handler"
    broker.follow(policy, "desk")  # a refused handoff's way back: billing's yes is not desk's
    assert (await broker.decide(request("c3", agent="desk"))).decided_by == "handler"
    broker.follow(policy, "desk", forget=False)  # its tools relisted: kept, desk's only
    assert (await broker.decide(request("c4", agent="desk"))).decided_by == "remembered"
    assert (await broker.decide(request("c5", agent="billing"))).decided_by == "handler"
    broker.follow(None, "desk", forget=False)  # (and the policy stays the one it had)
    assert broker.policy is policy


async def test_a_broker_that_knows_no_agent_remembers_for_any() -> None:
    answers: list[str] = []
    broker = ApprovalBroker(remembering(answers), lambda e: None)
    await broker.decide(request("c1", agent="desk"))
    assert (await broker.decide(request("c2", agent="billing"))).decided_by == "remembered"
