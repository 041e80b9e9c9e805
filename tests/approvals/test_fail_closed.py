"""Approvals fail closed under hostile input, for function tools, local MCP tools and hosted
MCP requests alike: only an explicit, well-typed yes approves, and every call is answered."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy, ApprovalRequest, Decision, allow, ask, deny
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel
from rtagents.mcp import HostedMCP, MCPServerStdio
from rtagents.testing import sent_outputs

from ..mcp.servers import NOTES_SERVER

pytestmark = pytest.mark.anyio
ran: list[str] = []


@rtagents.tool(needs_approval=True)
def transfer(to: str, amount: int) -> str:
    """Move money."""
    ran.append(f"transfer {to}:{amount}")
    return f"sent {amount} to {to}"


@rtagents.tool(needs_approval=True)
def delete_file(path: str, dry_run: bool = True) -> str:
    """Delete a file (or pretend to)."""
    ran.append(f"delete {path} dry_run={dry_run}")
    return "would delete" if dry_run else "deleted"


def echo(ctx: ModelContext) -> str:
    return " | ".join(str(o.get("output", o.get("approve"))) for o in ctx.pending_outputs) or "-"


class Outcome:
    def __init__(self, events: list[Any], client_events: list[dict[str, Any]]) -> None:
        self.events = events
        self.client_events = client_events
        self.outputs = sent_outputs(client_events)

    def of(self, kind: str) -> list[Any]:
        return [e for e in self.events if e.type == kind]

    @property
    def decided(self) -> list[Any]:
        return self.of("approval.decided")

    @property
    def approval_responses(self) -> list[dict[str, Any]]:
        return [
            e["item"]
            for e in self.client_events
            if e["type"] == "conversation.item.create"
            and e["item"]["type"] == "mcp_approval_response"
        ]

    def denied_output(self, call_id: str) -> dict[str, Any]:
        body = json.loads(self.outputs[call_id])
        assert body["error"] == "denied", body
        return body


Script = Callable[[rtagents.RealtimeSession, Emulator], Awaitable[None]]


async def converse(
    tools: list[Any],
    policy: ApprovalPolicy | None,
    turns: list[Any],
    *,
    script: Script | None = None,
    answers: int = 2,
    within: float = 10,
) -> Outcome:
    """Run a text conversation; stop after ``answers`` responses. Events are collected by a
    handler, so that those emitted while the session closes are kept too."""
    ran.clear()
    agent = rtagents.Agent(name="a", tools=tools, approval=policy, output_modalities=["text"])
    events: list[Any] = []
    async with Emulator(model=ScriptedModel(turns)) as emu:
        with anyio.fail_after(within):
            async with rtagents.connect(agent, transport=emu.transport()) as session:
                session.on("*")(events.append)
                if script is None:
                    await session.send_text("go")
                else:
                    await script(session, emu)
                async for _ in session:
                    if len([e for e in events if e.type == "response.done"]) >= answers:
                        break
                else:
                    pytest.fail("the session ended before the event this loop waits for")
        client_events = list(emu.last.received)
    assert not [e for e in events if e.type == "session.closed" and e.error], events
    return Outcome(events, client_events)


def hosted_request(
    conn: Any, request_id: str, server_label: str, name: str, arguments: str
) -> list[str]:
    """The frames of a response that asks for approval of a hosted MCP call."""
    rid = f"resp_{request_id}"
    item = {
        "type": "mcp_approval_request",
        "id": request_id,
        "server_label": server_label,
        "name": name,
        "arguments": arguments,
    }
    response = {"id": rid, "object": "realtime.response", "status": "completed", "output": [item]}
    return [
        json.dumps(
            {
                "type": "response.created",
                "event_id": "e1",
                "response": {**response, "status": "in_progress", "output": []},
            }
        ),
        json.dumps(
            {
                "type": "response.output_item.done",
                "event_id": "e2",
                "response_id": rid,
                "output_index": 0,
                "item": item,
            }
        ),
        json.dumps({"type": "response.done", "event_id": "e3", "response": response}),
    ]


def inject_hosted(
    server_label: str, name: str, arguments: str, request_id: str = "mcpr_1"
) -> Script:
    async def script(session: rtagents.RealtimeSession, emu: Emulator) -> None:
        for frame in hosted_request(emu.last, request_id, server_label, name, arguments):
            await emu.last.send_raw(frame)

    return script


HOSTED = HostedMCP(
    server_label="docs", server_url="http://127.0.0.1:9/mcp", require_approval="always"
)

# -- a Decision (or a bare value) that is not an explicit, well-typed yes ---------------------

NOT_YES = [
    Decision("no"),  # type: ignore[arg-type]
    Decision(approve="false"),  # type: ignore[arg-type]
    Decision(approve=None),  # type: ignore[arg-type]
    Decision(approve=1),  # type: ignore[arg-type]
    "yes",
    1,
    "true",
    [True],
    {"approve": True},
]


@pytest.mark.parametrize("answer", NOT_YES, ids=repr)
async def test_function_tool_runs_only_on_a_well_typed_yes(answer: Any) -> None:
    out = await converse(
        [transfer],
        ApprovalPolicy(handler=lambda request: answer, timeout=2),
        [CallFunction("transfer", {"to": "mallory", "amount": 5000}, call_id="t1"), echo],
    )
    assert ran == []
    [d] = out.decided
    assert (d.approve, d.decided_by) == (False, "error")
    assert "True" in (d.reason or "")  # it says what a yes must look like
    out.denied_output("t1")
    assert out.of("tool.call.failed")[0].kind == "denied"


@pytest.mark.parametrize("answer", [Decision("no"), "yes"], ids=repr)  # type: ignore[arg-type]
async def test_hosted_request_denied_on_the_same_answer(answer: Any) -> None:
    out = await converse(
        [HOSTED],
        ApprovalPolicy(handler=lambda request: answer, timeout=2),
        [echo],
        script=inject_hosted("docs", "search", '{"q": "x"}'),
        answers=2,
    )
    [d] = out.decided
    assert (d.approve, d.decided_by) == (False, "error")
    assert [(r["approval_request_id"], r["approve"]) for r in out.approval_responses] == [
        ("mcpr_1", False)
    ]


async def test_local_mcp_tool_denied_on_a_decision_that_is_not_a_bool() -> None:
    server = MCPServerStdio(sys.executable, [NOTES_SERVER], name="notes")
    async with server:
        out = await converse(
            [server],
            ApprovalPolicy(handler=lambda request: Decision("no"), timeout=2),  # type: ignore[arg-type]
            [CallFunction("write_note", {"key": "k", "text": "pwned"}, call_id="w"), echo],
        )
    [d] = out.decided
    assert (d.request.kind, d.approve, d.decided_by) == ("mcp_local", False, "error")
    out.denied_output("w")


async def test_well_typed_yes_still_approves_everywhere() -> None:
    for answer in (True, Decision(True), Decision(approve=True, reason="fine")):
        out = await converse(
            [transfer],
            ApprovalPolicy(handler=lambda request, a=answer: a),
            [CallFunction("transfer", {"to": "ann", "amount": 5}, call_id="t1"), echo],
        )
        assert ran == ["transfer ann:5"] and out.outputs["t1"] == "sent 5 to ann"
        assert out.decided[0].decided_by == "handler"


# -- rules and handlers see the arguments the tool will get -----------------------------------


async def test_rules_judge_the_coerced_arguments_the_tool_receives() -> None:
    policy = ApprovalPolicy(
        rules=[
            allow(tool="delete_file", when=lambda a: a.get("dry_run", True)),
            deny(tool="delete_file", reason="only dry runs"),
        ]
    )
    out = await converse(
        [delete_file],
        policy,
        [CallFunction("delete_file", {"path": "/etc", "dry_run": "false"}, call_id="d"), echo],
    )
    assert ran == []  # "false" is False for the tool, so the allow rule must not match
    [d] = out.decided
    assert (d.approve, d.decided_by, d.reason) == (False, "rule", "only dry runs")
    assert d.request.arguments == {"path": "/etc", "dry_run": False}


async def test_handler_and_needs_approval_see_the_same_arguments_as_the_tool() -> None:
    seen: list[Any] = []

    def needs(ctx: rtagents.ToolContext, args: dict[str, Any]) -> bool:
        seen.append(("needs", args, ctx.arguments))
        return True

    @rtagents.tool(needs_approval=needs)
    def pay(amount: int, to: str = "ann") -> str:
        """Pay."""
        ran.append(f"pay {amount}")
        return "ok"

    def handler(request: ApprovalRequest) -> bool:
        seen.append(("handler", request.arguments))
        return True

    await converse(
        [pay],
        ApprovalPolicy(handler=handler),
        [CallFunction("pay", {"amount": "12"}, call_id="p"), echo],
    )
    args = {"amount": 12, "to": "ann"}
    assert seen == [("needs", args, args), ("handler", args)]
    assert ran == ["pay 12"]


# -- whatever raises, hangs or is malformed: a deny, an answered call, a live session ----------


async def test_a_rule_predicate_that_raises_denies() -> None:
    server = MCPServerStdio(sys.executable, [NOTES_SERVER], name="notes")
    async with server:
        out = await converse(
            [server],
            ApprovalPolicy(rules=[allow(tool="write_note", when=lambda a: a["amount"] < 10)]),
            [CallFunction("write_note", {"key": "k", "text": "t"}, call_id="w"), echo],
        )
    [d] = out.decided
    assert (d.approve, d.decided_by) == (False, "error")
    assert "KeyError" in (d.reason or "")
    out.denied_output("w")


async def test_a_predicate_that_returns_a_non_bool_denies() -> None:
    out = await converse(
        [transfer],
        ApprovalPolicy(rules=[allow(tool="transfer", when=lambda a: "yes")]),
        [CallFunction("transfer", {"to": "ann", "amount": 5}, call_id="t1"), echo],
    )
    assert ran == []
    assert (out.decided[0].approve, out.decided[0].decided_by) == (False, "error")


@pytest.mark.parametrize("kind", ["raises", "returns a string", "hangs"])
async def test_needs_approval_that_misbehaves_denies(kind: str) -> None:
    async def check(ctx: rtagents.ToolContext, args: dict[str, Any]) -> Any:
        if kind == "raises":
            raise RuntimeError("policy service down")
        if kind == "hangs":
            await anyio.sleep_forever()
        return "no thanks"

    @rtagents.tool(needs_approval=check)
    def pay(amount: int) -> str:
        """Pay."""
        ran.append("pay")
        return "ok"

    out = await converse(
        [pay],
        ApprovalPolicy(rules=[allow()], timeout=0.3),
        [CallFunction("pay", {"amount": 1}, call_id="p"), echo],
    )
    assert ran == []
    [d] = out.decided
    assert d.approve is False
    assert d.decided_by == ("timeout" if kind == "hangs" else "error")
    out.denied_output("p")


async def test_hosted_arguments_that_are_not_json_deny_with_a_when_rule() -> None:
    out = await converse(
        [HOSTED],
        ApprovalPolicy(rules=[allow(server="docs", when=lambda a: a["q"] == "x")]),
        [echo],
        script=inject_hosted("docs", "search", "{not json"),
    )
    [d] = out.decided
    assert (d.approve, d.decided_by) == (False, "error")
    assert [r["approve"] for r in out.approval_responses] == [False]


DEEP = '{"q": ' + "[" * 5000 + "]" * 5000 + "}"


async def test_hosted_arguments_nested_thousands_deep_deny() -> None:
    out = await converse(
        [HOSTED],
        ApprovalPolicy(rules=[allow(server="docs")]),
        [echo],
        script=inject_hosted("docs", "search", DEEP),
    )
    assert [r["approve"] for r in out.approval_responses] == [False]
    assert out.decided[0].decided_by == "error"


async def test_function_arguments_nested_thousands_deep_are_answered() -> None:
    @rtagents.tool(needs_approval=True)
    def store(data: Any) -> str:
        """Store anything."""
        ran.append("store")
        return "stored"

    out = await converse(
        [store],
        ApprovalPolicy(rules=[allow(when=lambda a: bool(a))]),
        [CallFunction("store", '{"data": ' + "[" * 5000 + "]" * 5000 + "}", call_id="s"), echo],
    )
    assert ran == []
    assert json.loads(out.outputs["s"])["error"] in ("invalid_arguments", "denied")


async def test_hosted_request_from_an_unknown_server_is_denied_by_a_generic_rule() -> None:
    out = await converse(
        [HOSTED],
        ApprovalPolicy(rules=[allow(tool="get_*")], handler=lambda r: True),
        [echo],
        script=inject_hosted("rogue", "get_secrets", "{}"),
    )
    [d] = out.decided
    assert d.approve is False and "rogue" in (d.reason or "")
    assert [r["approve"] for r in out.approval_responses] == [False]


async def test_an_unknown_server_named_explicitly_by_a_rule_can_be_approved() -> None:
    out = await converse(
        [HOSTED],
        ApprovalPolicy(rules=[allow(server="rogue", tool="get_*")]),
        [echo],
        script=inject_hosted("rogue", "get_status", "{}"),
    )
    assert [r["approve"] for r in out.approval_responses] == [True]


async def test_sync_handlers_have_their_own_threads_and_clock() -> None:
    release = threading.Event()

    @rtagents.tool(timeout=30)
    def block(n: int) -> str:
        """Wait."""
        release.wait(20)
        return "done"

    def handler(request: ApprovalRequest) -> bool:
        return True

    calls = [CallFunction("block", {"n": i}, call_id=f"b{i}") for i in range(40)]
    calls.append(CallFunction("transfer", {"to": "ann", "amount": 5}, call_id="t1"))

    async def let_go(session: rtagents.RealtimeSession, emu: Emulator) -> None:
        @session.on("approval.decided")
        def _(event: Any) -> None:
            release.set()

        await session.send_text("go")

    try:
        out = await converse(
            [block, transfer],
            ApprovalPolicy(handler=handler, timeout=1),
            [calls, echo],
            script=let_go,
            within=25,
        )
    finally:
        release.set()
    [d] = out.decided
    assert (d.approve, d.decided_by) == (True, "handler")
    assert out.outputs["t1"] == "sent 5 to ann"


async def test_closing_with_a_pending_approval_reports_the_decision() -> None:
    ran.clear()
    agent = rtagents.Agent(name="bank", tools=[transfer], approval=ApprovalPolicy(timeout=60))
    events: list[Any] = []
    async with Emulator(
        model=ScriptedModel([CallFunction("transfer", {"to": "x", "amount": 1})])
    ) as emu:
        with anyio.fail_after(5):
            async with rtagents.connect(agent, transport=emu.transport()) as session:
                session.on("*")(events.append)
                await session.send_text("go")
                async for event in session:
                    if event.type == "approval.requested":
                        break
                else:
                    pytest.fail("the session ended before the event this loop waits for")
    [d] = [e for e in events if e.type == "approval.decided"]
    assert (d.approve, d.decided_by) == (False, "close")
    assert ran == []
    assert events[-1].type == "session.closed"


async def test_out_of_band_answers_go_through_the_same_gate() -> None:
    async def answer(session: rtagents.RealtimeSession, emu: Emulator) -> None:
        @session.on("approval.requested")
        async def _(event: Any) -> None:
            assert await session.approve(event.request.id) is True

        await session.send_text("go")

    out = await converse(
        [transfer],
        ApprovalPolicy(rules=[ask()], timeout=5),
        [CallFunction("transfer", {"to": "ann", "amount": 5}, call_id="t1"), echo],
        script=answer,
    )
    assert ran == ["transfer ann:5"]
    assert out.decided[0].decided_by == "user"


async def test_hosted_request_for_a_tool_the_config_leaves_out_is_denied_over_the_wire() -> None:
    only_search = HostedMCP(
        server_label="docs",
        server_url="http://127.0.0.1:9/mcp",
        allowed_tools=["search"],
        require_approval="always",
    )
    out = await converse(
        [only_search],
        ApprovalPolicy(rules=[allow(server="docs")], timeout=2),
        [echo],
        script=inject_hosted("docs", "delete_all", "{}"),
    )
    [d] = out.decided
    assert (d.approve, d.decided_by) == (False, "rule")
    assert "allowed_tools" in (d.reason or "")
    assert [r["approve"] for r in out.approval_responses] == [False]
