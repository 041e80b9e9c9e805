"""App approval code that raises ``SystemExit`` or ``KeyboardInterrupt`` (a handler, a
``needs_approval`` predicate, sync or async) denies the call, which is answered and never
runs; the session ends, and ``connect`` raises the exception (never the event loop)."""

from __future__ import annotations

import contextlib
import threading
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy, ApprovalRequest, Decision, deny
from rtagents.approvals.broker import NOT_REQUIRED, ApprovalBroker
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.errors import root_cause

pytestmark = pytest.mark.anyio


def _raising(kind: str) -> Any:
    if kind == "sync":

        def quit_now(*args: Any) -> bool:
            raise SystemExit("bye")

        return quit_now

    async def quit_soon(*args: Any) -> bool:
        raise SystemExit("bye")

    return quit_soon


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("where", ["handler", "needs_approval"])
async def test_approval_code_that_exits_denies_and_connect_raises_it(kind: str, where: str) -> None:
    ran: list[str] = []
    check = _raising(kind) if where == "needs_approval" else True

    @rtagents.tool(needs_approval=check)
    async def transfer() -> str:
        """Moves money."""
        ran.append("ran")
        return "moved"

    handler = _raising(kind) if where == "handler" else (lambda request: True)
    agent = rtagents.Agent(
        name="bank",
        tools=[transfer],
        output_modalities=["text"],
        approval=ApprovalPolicy(handler=handler),
    )
    seen: list[Any] = []
    async with Emulator(model=ScriptedModel([CallFunction("transfer", {}), "Done."])) as emu:
        with pytest.raises(SystemExit, match="bye"), anyio.fail_after(10):
            async with rtagents.connect(agent, transport=emu.transport()) as session:
                session.on("*")(seen.append)
                await session.send_text("Move it.")
                async for _ in session:
                    pass
    assert ran == []
    [failed] = [e for e in seen if e.type == "tool.call.failed"]
    assert failed.kind == "denied" and "SystemExit" in failed.message
    assert seen[-1].type == "session.closed" and seen[-1].error


# -- the gate itself (no session: ``app_exit`` is where the exit goes) ----------------------------

_LONG_EXIT = "x" * 500  # said in at most 200 characters of message


def denied_then_exited(
    said: list[Any], decision: Decision, request: ApprovalRequest, said_first: str
) -> None:
    """Denied (``error``, its reason ``said_first`` and what exited, briefly), reported
    requested then decided, and then the exit handed over: in that order, nothing else."""
    exit_ = said[-1]
    assert isinstance(exit_, SystemExit) and exit_.code == _LONG_EXIT
    reason = f"{said_first}{root_cause(exit_, 200)}"
    assert (decision.approve, decision.decided_by, decision.reason) == (False, "error", reason)
    assert [e.type for e in said[:-1]] == ["approval.requested", "approval.decided"]
    assert said[1].request is request and (said[1].approve, said[1].decided_by) == (False, "error")


def _request() -> ApprovalRequest:
    return ApprovalRequest.for_call(
        "call_1", "book", {"n": 1}, server_label=None, read_only=None, agent="the agent"
    )


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_a_predicate_that_exits_denies_reports_then_hands_the_exit_over(kind: str) -> None:
    said: list[Any] = []
    broker = ApprovalBroker(ApprovalPolicy(timeout=1), said.append, app_exit=said.append)
    request = _request()

    def quits(ctx: object, arguments: object) -> bool:
        raise SystemExit(_LONG_EXIT)

    async def quits_soon(ctx: object, arguments: object) -> bool:
        raise SystemExit(_LONG_EXIT)

    decision = await broker.authorize(
        lambda: request, quits if kind == "sync" else quits_soon, None
    )
    exit_ = said[-1]
    assert isinstance(exit_, SystemExit) and exit_.code == _LONG_EXIT
    reason = f"needs_approval raised {root_cause(exit_, 200)}"
    assert (decision.approve, decision.decided_by, decision.reason) == (False, "error", reason)
    requested, decided = said[:2]  # reported, with its request, before the exit
    assert requested.type == "approval.requested" and requested.request is request
    assert decided.type == "approval.decided" and decided.request is request
    assert (decided.approve, decided.decided_by) == (False, "error") and len(said) == 3


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_a_handler_that_exits_denies_reports_then_hands_the_exit_over(kind: str) -> None:
    said: list[Any] = []

    def quits(request: ApprovalRequest) -> bool:
        raise SystemExit(_LONG_EXIT)

    async def quits_soon(request: ApprovalRequest) -> bool:
        raise SystemExit(_LONG_EXIT)

    policy = ApprovalPolicy(handler=quits if kind == "sync" else quits_soon, timeout=2)
    broker = ApprovalBroker(policy, said.append, app_exit=said.append)
    request = _request()
    decision = await broker.decide(request)
    denied_then_exited(said, decision, request, "the approval handler raised ")


async def test_with_nowhere_to_hand_it_over_the_exit_is_raised_after_the_deny() -> None:
    said: list[Any] = []

    def quits(request: ApprovalRequest) -> bool:
        raise SystemExit("bye")

    broker = ApprovalBroker(ApprovalPolicy(handler=quits, timeout=2), said.append)
    with pytest.raises(SystemExit, match="bye"):
        await broker.decide(_request())
    assert [e.type for e in said] == ["approval.requested", "approval.decided"]
    assert said[1].approve is False


async def test_a_sync_predicate_has_threads_of_its_own() -> None:
    """anyio's shared worker threads all busy (the app's own thread work, say): a sync
    ``needs_approval`` still answers within the policy's timeout."""
    release = threading.Event()
    broker = ApprovalBroker(ApprovalPolicy(timeout=1), [].append)
    busy = anyio.to_thread.current_default_thread_limiter().total_tokens
    try:
        async with anyio.create_task_group() as tg:
            for _ in range(int(busy)):
                tg.start_soon(anyio.to_thread.run_sync, release.wait)
            await anyio.sleep(0.1)
            decision = await broker.authorize(_request, lambda ctx, arguments: False, None)
            release.set()
    finally:
        release.set()
    assert decision is NOT_REQUIRED


def _exits(arguments: dict[str, Any]) -> bool:
    raise SystemExit(_LONG_EXIT)


async def test_a_rule_predicate_that_exits_denies_reports_then_hands_the_exit_over() -> None:
    """A ``when`` that exits, met in the rules: a deny, reported, then the app's exit (as
    for a handler); never an exit through the event loop with the request undecided."""
    said: list[Any] = []
    policy = ApprovalPolicy(rules=[deny(tool="book", when=_exits)], timeout=1)
    broker = ApprovalBroker(policy, said.append, app_exit=said.append)
    request = _request()
    decision = await broker.decide(request)
    denied_then_exited(said, decision, request, "the approval could not be decided: ")


async def test_a_veto_predicate_that_exits_denies_reports_then_hands_the_exit_over() -> None:
    """The same for a call that needs no approval, screened by the targeted deny rules."""
    said: list[Any] = []
    policy = ApprovalPolicy(rules=[deny(tool="book", when=_exits)], timeout=1)
    broker = ApprovalBroker(policy, said.append, app_exit=said.append)
    request = _request()
    decision = await broker.authorize(lambda: request, False, None)
    denied_then_exited(said, decision, request, "the approval could not be decided: ")


async def test_a_handler_that_exits_after_its_deadline_still_hands_the_exit_over() -> None:
    """The deadline decides (a deny, at once) while a handler that ignores its cancellation
    (code that catches everything) runs on, not waited for; when it then exits, the exit is
    still the app's: handed over."""
    said: list[Any] = []

    async def shielded_then_quits(request: ApprovalRequest) -> bool:
        with contextlib.suppress(BaseException):  # its cancellation, swallowed
            await anyio.sleep(0.3)
        raise SystemExit(_LONG_EXIT)

    broker = ApprovalBroker(
        ApprovalPolicy(handler=shielded_then_quits, timeout=0.1), said.append, app_exit=said.append
    )
    decision = await broker.decide(_request())
    assert (decision.approve, decision.decided_by) == (False, "timeout")
    with anyio.fail_after(5):
        while not said or not isinstance(said[-1], SystemExit):
            await anyio.sleep(0.02)
    assert said[-1].code == _LONG_EXIT
    assert [e.type for e in said[:-1]] == ["approval.requested", "approval.decided"]


async def test_an_outside_yes_without_a_handler_decides_with_nothing_failing(
    log_lines: list[str],
) -> None:
    said: list[Any] = []
    broker = ApprovalBroker(ApprovalPolicy(timeout=5), said.append)
    request = _request()
    async with anyio.create_task_group() as tg:

        async def decide() -> None:
            said.append(await broker.decide(request))

        tg.start_soon(decide)
        with anyio.fail_after(5):
            while not broker.pending:
                await anyio.sleep(0.01)
        assert await broker.resolve(request.id, True)
    decision = said[-1]
    assert (decision.approve, decision.decided_by) == (True, "user")
    assert not [line for line in log_lines if "failed" in line or "Traceback" in line]
