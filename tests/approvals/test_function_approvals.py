"""Approvals for function tools, end to end against the emulator."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy, ApprovalRequest, Decision, allow, ask, deny
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel
from rtagents.testing import sent_outputs

pytestmark = pytest.mark.anyio
ran: list[str] = []


@rtagents.tool(needs_approval=True)
def transfer(to: str, amount: int) -> str:
    """Move money."""
    ran.append(f"{to}:{amount}")
    return f"sent {amount} to {to}"


@rtagents.tool
async def balance() -> int:
    """The balance."""
    return 100


def echo(ctx: ModelContext) -> str:
    return " | ".join(o["output"] for o in ctx.pending_outputs)


async def run(
    policy: ApprovalPolicy | None, turns: list[Any], *, during: Any = None, responses: int = 2
) -> tuple[list[Any], dict[str, str]]:
    ran.clear()
    agent = rtagents.Agent(
        name="bank", tools=[transfer, balance], approval=policy, output_modalities=["text"]
    )
    events: list[Any] = []
    async with Emulator(model=ScriptedModel(turns)) as emu:
        async with rtagents.connect(agent, transport=emu.transport()) as session:
            await session.send_text("go")
            with anyio.fail_after(10):
                async for event in session:
                    events.append(event)
                    if during is not None:
                        await during(session, event)
                    if len([e for e in events if e.type == "response.done"]) >= responses:
                        break
                else:
                    pytest.fail("the session ended before the event this loop waits for")
        outputs = sent_outputs(emu.last.received)
    return events, outputs


CALL = [CallFunction("transfer", {"to": "ann", "amount": 5}, call_id="t1"), echo]


def decided(events: list[Any]) -> list[Any]:
    return [e for e in events if e.type == "approval.decided"]


async def test_rule_allows() -> None:
    events, outputs = await run(
        ApprovalPolicy(rules=[allow(tool="transfer", when=lambda a: a["amount"] < 10)]), CALL
    )
    assert ran == ["ann:5"] and outputs["t1"] == "sent 5 to ann"
    [d] = decided(events)
    assert (d.approve, d.decided_by) == (True, "rule")


async def test_rule_denies_and_the_model_is_told_why() -> None:
    events, outputs = await run(
        ApprovalPolicy(rules=[deny(tool="trans*", reason="transfers are disabled")]), CALL
    )
    assert ran == []
    body = json.loads(outputs["t1"])
    assert body["error"] == "denied" and "transfers are disabled" in body["message"]
    [failed] = [e for e in events if e.type == "tool.call.failed"]
    assert failed.kind == "denied"
    assert decided(events)[0].decided_by == "rule"


@pytest.mark.parametrize(
    "answer", [True, False, Decision(True, "ok by me"), Decision(False, "too much")]
)
async def test_handler_sync_and_async(answer: Any) -> None:
    asked: list[ApprovalRequest] = []

    def sync_handler(request: ApprovalRequest) -> Any:
        asked.append(request)
        return answer

    async def async_handler(request: ApprovalRequest) -> Any:
        asked.append(request)
        return answer

    approve = answer if isinstance(answer, bool) else answer.approve
    for handler in (sync_handler, async_handler):
        events, _outputs = await run(
            ApprovalPolicy(rules=[ask(tool="transfer")], handler=handler), CALL
        )
        assert (ran == ["ann:5"]) is approve
        assert decided(events)[0].decided_by == "handler"
    request = asked[0]
    assert (request.kind, request.tool_name, request.arguments, request.call_id) == (
        "function",
        "transfer",
        {"to": "ann", "amount": 5},
        "t1",
    )
    assert request.agent.name == "bank"
    [requested] = [e for e in events if e.type == "approval.requested"]
    assert requested.request.describe() == "transfer(to='ann', amount=5)"


async def test_remember_session_asks_once() -> None:
    asked: list[str] = []

    def handler(request: ApprovalRequest) -> Decision:
        asked.append(request.id)
        return Decision(True, remember="session")

    turns = [
        CallFunction("transfer", {"to": "ann", "amount": 5}, call_id="a"),
        CallFunction("transfer", {"to": "ann", "amount": 5}, call_id="b"),
        CallFunction("transfer", {"to": "bob", "amount": 5}, call_id="c"),
        "done",
    ]
    events, _outputs = await run(ApprovalPolicy(handler=handler), turns, responses=4)
    assert asked == ["a", "c"]  # the identical second request was not asked
    assert [d.decided_by for d in decided(events)] == ["handler", "remembered", "handler"]
    assert ran == ["ann:5", "ann:5", "bob:5"]


async def test_handler_timeout_denies() -> None:
    async def slow(request: ApprovalRequest) -> bool:
        await anyio.sleep(10)
        return True

    events, outputs = await run(ApprovalPolicy(handler=slow, timeout=0.2), CALL)
    assert ran == []
    [d] = decided(events)
    assert (d.approve, d.decided_by) == (False, "timeout")
    assert "0.2 s" in json.loads(outputs["t1"])["message"]


async def test_nobody_answering_always_denies() -> None:
    with pytest.raises(ValueError, match="end the rules with allow"):
        ApprovalPolicy(default="allow", timeout=0.1)  # type: ignore[arg-type]
    events, _ = await run(ApprovalPolicy(timeout=0.1), CALL)
    assert ran == [] and decided(events)[0].decided_by == "timeout"


async def test_handler_that_raises_denies_and_is_reported() -> None:
    def broken(request: ApprovalRequest) -> bool:
        raise RuntimeError("approval service down")

    events, outputs = await run(ApprovalPolicy(handler=broken), CALL)
    assert ran == []
    [d] = decided(events)
    assert (d.approve, d.decided_by) == (False, "error")
    assert "approval service down" in (d.reason or "")
    assert "approval service down" in json.loads(outputs["t1"])["message"]


@pytest.mark.parametrize("approve", [True, False])
async def test_out_of_band_approve_and_deny(approve: bool) -> None:
    async def answer(session: rtagents.RealtimeSession, event: Any) -> None:
        if event.type == "approval.requested":
            assert [r.id for r in session.pending_approvals] == [event.request.id]
            if approve:
                assert await session.approve(event.request.id)
            else:
                assert await session.deny(event.request.id, reason="the user said no")

    events, outputs = await run(ApprovalPolicy(timeout=5), CALL, during=answer)
    assert (ran == ["ann:5"]) is approve
    [d] = decided(events)
    assert d.decided_by == "user"
    if not approve:
        assert "the user said no" in json.loads(outputs["t1"])["message"]


async def test_a_pending_approval_does_not_delay_another_tool() -> None:
    human_may_answer = anyio.Event()

    async def slow_human(request: ApprovalRequest) -> bool:
        await human_may_answer.wait()
        return True

    async def note(session: rtagents.RealtimeSession, event: Any) -> None:
        if event.type == "tool.call.completed" and event.call_id == "fast":
            human_may_answer.set()  # the other tool finished while the human was thinking

    turns = [
        [
            CallFunction("transfer", {"to": "ann", "amount": 5}, call_id="slow"),
            CallFunction("balance", {}, call_id="fast"),
        ],
        echo,
    ]
    events, outputs = await run(ApprovalPolicy(handler=slow_human), turns, during=note)
    order = [
        (e.type, getattr(e, "call_id", None))
        for e in events
        if e.type in ("tool.call.completed", "approval.decided")
    ]
    assert order == [
        ("tool.call.completed", "fast"),  # did not wait for the human
        ("approval.decided", None),
        ("tool.call.completed", "slow"),
    ]
    assert outputs == {"fast": "100", "slow": "sent 5 to ann"}
    creates = [e for e in events if e.type == "response.requested"]
    assert [c.call_ids for c in creates] == [("fast", "slow")]  # one turn for the batch


async def test_closing_with_a_pending_request_denies_it_and_nothing_hangs() -> None:
    agent = rtagents.Agent(name="bank", tools=[transfer], approval=ApprovalPolicy(timeout=60))
    async with Emulator(
        model=ScriptedModel([CallFunction("transfer", {"to": "x", "amount": 1})])
    ) as emu:
        with anyio.fail_after(5):
            async with rtagents.connect(agent, transport=emu.transport()) as session:
                await session.send_text("go")
                async for event in session:
                    if event.type == "approval.requested":
                        break
                else:
                    pytest.fail("the session ended before the event this loop waits for")
                broker = session._runner.approvals
        assert broker.pending == []
        assert session.closed_reason == "closed by the client"


async def test_needs_approval_callable_decides_per_call() -> None:
    @rtagents.tool(needs_approval=lambda ctx, args: args["amount"] > 10)
    def pay(amount: int) -> str:
        """Pay."""
        return f"paid {amount}"

    agent = rtagents.Agent(
        name="p", tools=[pay], approval=ApprovalPolicy(rules=[deny()]), output_modalities=["text"]
    )
    turns = [
        [
            CallFunction("pay", {"amount": 5}, call_id="small"),
            CallFunction("pay", {"amount": 50}, call_id="big"),
        ],
        echo,
    ]
    async with Emulator(model=ScriptedModel(turns)) as emu:
        async with rtagents.connect(agent, transport=emu.transport()) as session:
            await session.send_text("pay")
            with anyio.fail_after(5):
                async for event in session:
                    if (
                        event.type == "response.done"
                        and event.response.output
                        and event.response.output[0].type == "message"
                    ):
                        break
                else:
                    pytest.fail("the session ended before the event this loop waits for")
        outputs = sent_outputs(emu.last.received)
    assert outputs["small"] == "paid 5"
    assert json.loads(outputs["big"])["error"] == "denied"


def test_policy_validation_and_rule_matching() -> None:
    with pytest.raises(ValueError, match="default must be"):
        ApprovalPolicy(default="maybe")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="is not a rule"):
        ApprovalPolicy(rules=["allow"])  # type: ignore[list-item]
    req = ApprovalRequest(
        id="1",
        kind="mcp_local",
        tool_name="delete_file",
        arguments={"path": "/tmp/x"},
        server_label="fs",
        read_only=False,
    )
    assert allow(server="f*").matches(req)
    assert not allow(server="db").matches(req)
    assert deny(read_only=False).matches(req)
    assert not allow(read_only=True).matches(req)
    assert allow(kind=["mcp_local", "mcp_hosted"]).matches(req)
    assert not allow(kind="function").matches(req)
    assert deny(when=lambda a: a["path"].startswith("/tmp")).matches(req)


@rtagents.tool
def delete_all() -> str:
    """Delete everything (needs no approval)."""
    return "deleted"


@rtagents.tool
def delete_tmp() -> str:
    """Delete the scratch files (needs no approval)."""
    return "tmp deleted"


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        ([deny(tool="delete_*", reason="never")], {"a": "denied", "t": "denied"}),
        ([allow(tool="delete_tmp"), deny(tool="delete_*")], {"a": "denied", "t": "tmp deleted"}),
        ([deny(when=lambda args: True)], {"a": "denied", "t": "denied"}),
        ([deny()], {"a": "deleted", "t": "tmp deleted"}),  # the fallback for what asks
        ([ask(tool="delete_*")], {"a": "deleted", "t": "tmp deleted"}),
    ],
    ids=["a deny naming them", "an allow first", "a deny on arguments", "a bare deny", "ask"],
)
async def test_a_targeted_deny_stops_a_tool_that_needs_no_approval(
    rules: list[Any], expected: dict[str, str]
) -> None:
    agent = rtagents.Agent(
        name="d",
        tools=[delete_all, delete_tmp],
        approval=ApprovalPolicy(rules=rules),
        output_modalities=["text"],
    )
    turns = [
        [CallFunction("delete_all", {}, call_id="a"), CallFunction("delete_tmp", {}, call_id="t")],
        echo,
    ]
    decided: list[Any] = []
    async with Emulator(model=ScriptedModel(turns)) as emu:
        async with rtagents.connect(agent, transport=emu.transport()) as session:
            session.on("approval.decided")(decided.append)
            await session.send_text("clean up")
            with anyio.fail_after(5):
                async for event in session:
                    if event.type == "response.done" and len(sent_outputs(emu.last.received)) == 2:
                        break
                else:
                    pytest.fail("the session ended before both calls were answered")
        outputs = sent_outputs(emu.last.received)
    told = {
        call_id: "denied" if output.startswith("{") and '"denied"' in output else output
        for call_id, output in outputs.items()
    }
    assert told == expected
    assert len(decided) == list(expected.values()).count("denied")  # only a deny is told
    assert all(d.approve is False and d.decided_by == "rule" for d in decided)
