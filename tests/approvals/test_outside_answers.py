"""Answers from outside the policy (``session.approve``/``deny``: a UI, a supervisor, the
command line) never override it: a yes counts only once the policy left the request to an
outside answer; a no counts at once. And the gate's small rules that no other test pins:
falsy non-bools deny, ``remember`` works only in the direction asked."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy, ApprovalRequest, Decision, allow, ask
from rtagents.approvals.broker import ApprovalBroker
from rtagents.emulator import CallFunction

from .test_fail_closed import converse, echo, ran, transfer

pytestmark = pytest.mark.anyio


def request(request_id: str = "r1", **arguments: Any) -> ApprovalRequest:
    return ApprovalRequest(
        id=request_id, kind="function", tool_name="pay", arguments=arguments, call_id=request_id
    )


class Gate:
    """A broker and what it emitted."""

    def __init__(self, policy: ApprovalPolicy) -> None:
        self.events: list[Any] = []
        self.broker = ApprovalBroker(policy, self.events.append)

    def types(self) -> list[str]:
        return [e.type for e in self.events]


async def decide_with(gate: Gate, outside: Any, request_id: str = "r1") -> tuple[Decision, Any]:
    """Decide a request while ``outside(broker)`` answers it from another task."""
    answered: list[Any] = []
    async with anyio.create_task_group() as tg:

        async def answer() -> None:
            await anyio.sleep(0.05)  # the request is pending, its handler still deciding
            answered.append(await outside(gate.broker))

        tg.start_soon(answer)
        decision = await gate.broker.decide(request(request_id))
    return decision, answered[0]


def slow(answer: Any, delay: float = 0.3) -> Any:
    async def handler(r: ApprovalRequest) -> Any:
        await anyio.sleep(delay)
        return answer

    return handler


def approve(broker: ApprovalBroker) -> Any:
    return broker.resolve("r1", True)


def deny(broker: ApprovalBroker) -> Any:
    return broker.resolve("r1", False, "the user said no")


async def test_an_outside_yes_cannot_override_the_handlers_no() -> None:
    gate = Gate(ApprovalPolicy(handler=slow(Decision(False, "policy says no"))))
    decision, accepted = await decide_with(gate, approve)
    assert (decision.approve, decision.decided_by, decision.reason) == (
        False,
        "handler",
        "policy says no",
    )
    assert accepted is False
    assert "approval.awaiting" not in gate.types()


async def test_an_outside_yes_waits_for_the_handler_and_does_not_preempt_its_yes() -> None:
    gate = Gate(ApprovalPolicy(handler=slow(True)))
    decision, accepted = await decide_with(gate, approve)
    assert (decision.approve, decision.decided_by) == (True, "handler")
    assert accepted is False


async def test_a_sync_handler_is_waited_for_too() -> None:
    import time

    def sync_no(r: ApprovalRequest) -> bool:
        time.sleep(0.3)
        return False

    gate = Gate(ApprovalPolicy(handler=sync_no))
    decision, accepted = await decide_with(gate, approve)
    assert (decision.approve, decision.decided_by, accepted) == (False, "handler", False)


async def test_an_outside_yes_counts_when_the_handler_leaves_it_outside() -> None:
    gate = Gate(ApprovalPolicy(handler=slow(None)))
    decision, accepted = await decide_with(gate, approve)
    assert (decision.approve, decision.decided_by, accepted) == (True, "user", True)
    assert gate.types() == ["approval.requested", "approval.awaiting", "approval.decided"]


async def test_with_no_handler_the_request_awaits_an_outside_answer_at_once() -> None:
    gate = Gate(ApprovalPolicy(timeout=5))
    decision, accepted = await decide_with(gate, approve)
    assert (decision.approve, decision.decided_by, accepted) == (True, "user", True)
    assert gate.types() == ["approval.requested", "approval.awaiting", "approval.decided"]


async def test_an_outside_no_counts_at_once_even_while_the_handler_decides() -> None:
    gate = Gate(ApprovalPolicy(handler=slow(True, delay=5)))
    with anyio.fail_after(2):
        decision, accepted = await decide_with(gate, deny)
    assert (decision.approve, decision.decided_by, accepted) == (False, "user", True)
    assert decision.reason == "the user said no"


async def test_a_yes_waiting_for_the_handler_ends_with_the_request() -> None:
    """A timeout, a close or a cancel ends the request: the waiting yes returns False and
    never hangs."""
    gate = Gate(ApprovalPolicy(handler=slow(True, delay=5), timeout=0.2))
    with anyio.fail_after(2):
        decision, accepted = await decide_with(gate, approve)
    assert (decision.approve, decision.decided_by, accepted) == (False, "timeout", False)

    gate = Gate(ApprovalPolicy(handler=slow(True, delay=5)))
    results: list[bool] = []
    with anyio.fail_after(2):
        async with anyio.create_task_group() as tg:
            tg.start_soon(gate.broker.decide, request())
            await anyio.sleep(0.05)

            async def yes() -> None:
                results.append(await gate.broker.resolve("r1", True))

            tg.start_soon(yes)
            await anyio.sleep(0.05)
            tg.cancel_scope.cancel()  # the call was cancelled (a barge-in)
    assert results == [] or results == [False]
    assert [e.decided_by for e in gate.events if e.type == "approval.decided"] == ["cancelled"]


async def test_no_outside_answer_once_a_rule_decided() -> None:
    gate = Gate(ApprovalPolicy(rules=[rtagents.deny(tool="pay", reason="never")]))
    decision = await gate.broker.decide(request())
    assert (decision.approve, decision.decided_by) == (False, "rule")
    assert await gate.broker.resolve("r1", True) is False


async def test_in_a_session_an_outside_yes_on_requested_cannot_run_a_denied_tool() -> None:
    """What ``rtagents run --approve`` did: approve every ``approval.requested`` at once."""

    async def answer_everything(session: rtagents.RealtimeSession, emu: Any) -> None:
        @session.on("approval.requested")
        async def _(event: Any) -> None:
            await session.approve(event.request.id)

        await session.send_text("go")

    out = await converse(
        [transfer],
        ApprovalPolicy(handler=slow(Decision(False, "over the limit"))),
        [CallFunction("transfer", {"to": "ann", "amount": 5}, call_id="t1"), echo],
        script=answer_everything,
    )
    assert ran == []
    [d] = out.decided
    assert (d.approve, d.decided_by, d.reason) == (False, "handler", "over the limit")
    out.denied_output("t1")


# -- falsy non-bools deny -----------------------------------------------------------------------

FALSY = [None, 0, "", [], {}, 0.0]


@pytest.mark.parametrize("answer", FALSY, ids=repr)
async def test_a_needs_approval_check_answering_a_falsy_non_bool_denies(answer: Any) -> None:
    def check(ctx: Any, args: dict[str, Any]) -> Any:
        return answer

    gate = Gate(ApprovalPolicy(rules=[allow()]))
    decision = await gate.broker.authorize(lambda: request(), check, None)
    assert (decision.approve, decision.decided_by) == (False, "error")
    assert "not True or False" in (decision.reason or "")


@pytest.mark.parametrize("answer", FALSY, ids=repr)
async def test_a_when_predicate_answering_a_falsy_non_bool_denies(answer: Any) -> None:
    # An ask rule whose predicate answers a falsy non-bool must not fall through to the
    # allow rule after it: the request is denied as an error.
    gate = Gate(ApprovalPolicy(rules=[ask(when=lambda a: answer), allow()]))
    decision = await gate.broker.decide(request())
    assert (decision.approve, decision.decided_by) == (False, "error")


# -- remember, only in the direction asked --------------------------------------------------------


@pytest.mark.parametrize("approve_it", [True, False])
async def test_remember_once_asks_again(approve_it: bool) -> None:
    asked: list[str] = []

    def handler(r: ApprovalRequest) -> Decision:
        asked.append(r.id)
        return Decision(approve_it)  # remember="once", the default

    gate = Gate(ApprovalPolicy(handler=handler))
    first = await gate.broker.decide(request("a", amount=5))
    second = await gate.broker.decide(request("b", amount=5))
    assert asked == ["a", "b"]
    assert (first.approve, second.approve) == (approve_it, approve_it)
    assert [first.decided_by, second.decided_by] == ["handler", "handler"]


@pytest.mark.parametrize("approve_it", [True, False])
async def test_remember_session_keeps_the_direction_decided(approve_it: bool) -> None:
    asked: list[str] = []

    def handler(r: ApprovalRequest) -> Decision:
        asked.append(r.id)
        return Decision(approve_it, "as decided", remember="session")

    gate = Gate(ApprovalPolicy(handler=handler))
    await gate.broker.decide(request("a", amount=5))
    again = await gate.broker.decide(request("b", amount=5))
    other = await gate.broker.decide(request("c", amount=6))
    assert asked == ["a", "c"]
    assert (again.approve, again.decided_by) == (approve_it, "remembered")
    assert other.decided_by == "handler"


@pytest.mark.parametrize("remember", ["once", "forever", None, True])
async def test_only_remember_session_is_remembered_from_outside(remember: Any) -> None:
    gate = Gate(ApprovalPolicy(timeout=2))
    async with anyio.create_task_group() as tg:

        async def answer() -> None:
            await anyio.sleep(0.05)
            await gate.broker.resolve("a", True, remember=remember)

        tg.start_soon(answer)
        first = await gate.broker.decide(request("a", amount=5))
    assert (first.approve, first.decided_by) == (True, "user")
    gate.broker.policy = ApprovalPolicy(timeout=0.1)  # nobody answers the identical one
    again = await gate.broker.decide(request("b", amount=5))
    assert (again.approve, again.decided_by) == (False, "timeout"), "a yes given once was kept"


async def test_a_rule_or_a_timeout_is_never_remembered() -> None:
    gate = Gate(ApprovalPolicy(timeout=0.1))
    first = await gate.broker.decide(request("a", amount=5))
    assert first.decided_by == "timeout"
    gate.broker.policy = ApprovalPolicy(handler=lambda r: True)
    second = await gate.broker.decide(request("b", amount=5))
    assert (second.approve, second.decided_by) == (True, "handler")
