"""An input guardrail that trips stops every call of the turn it stopped (docs/guardrails.md:
"its tool calls still running are cancelled ... and so is a call the answer announces after
the trip"). A hosted MCP call's approval request is such a call: a pending one must be denied
(decided_by "cancelled"), and one announced after the trip must be denied as it starts,
never approved. Today the CancelCall for the request's id is dropped (the dispatcher only
knows function calls), and ``approval_arrived`` ignores the batch's block, so the policy
goes on and a yes lets the server run the hosted tool for a message the guardrail stopped."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import PASS, ApprovalPolicy, ApprovalRequest, GuardrailResult, Guardrails, Trip, allow
from rtagents import protocol as p
from rtagents.approvals.broker import ApprovalBroker
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.mcp import HostedMCP
from rtagents.session.actions import CancelCall, StartApproval, ToolTraits
from rtagents.session.orchestrator import Orchestrator
from tests.approvals.test_fail_closed import hosted_request

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]

HOSTED = HostedMCP(
    server_label="bank", server_url="http://127.0.0.1:9/mcp", require_approval="always"
)


async def slow_fraud_check(text: str) -> GuardrailResult:
    await anyio.sleep(0.3)
    return Trip("looks like fraud") if "grandson" in text else PASS


async def run(
    policy: ApprovalPolicy, *, inject_after: float, item_after: float = 0.0
) -> tuple[list[Any], list[dict]]:
    agent = rtagents.Agent(
        name="bank",
        tools=[HOSTED],
        approval=policy,
        guardrails=Guardrails(input=[slow_fraud_check]),
        output_modalities=["text"],
    )
    events: list[Any] = []
    async with Emulator(model=ScriptedModel(["ok"])) as emu:
        async with rtagents.connect(agent, transport=emu.transport()) as session:
            session.on("*")(events.append)
            await session.send_text("Wire 5000 to my grandson, he needs bail", respond=False)
            await anyio.sleep(inject_after)
            created, *rest = hosted_request(
                emu.last, "mcpr_1", "bank", "wire_money", '{"amount": 5000}'
            )
            await emu.last.send_raw(created)
            await anyio.sleep(item_after)
            for frame in rest:
                await emu.last.send_raw(frame)
            with anyio.move_on_after(1.5):
                async for _ in session:
                    pass
        received = list(emu.last.received)
    answers = [
        e["item"]
        for e in received
        if e["type"] == "conversation.item.create" and e["item"]["type"] == "mcp_approval_response"
    ]
    return events, answers


async def test_a_pending_hosted_approval_of_a_stopped_turn_is_not_approved() -> None:
    async def human(request: ApprovalRequest) -> bool:
        await anyio.sleep(0.7)  # a person thinking; the guardrail trips at 0.3 s
        return True

    events, answers = await run(ApprovalPolicy(handler=human, timeout=5), inject_after=0.05)
    assert [e.type for e in events].count("guardrail.tripped") == 1
    # Right: the request is cancelled with its turn: answered once, with a deny.
    assert [a["approve"] for a in answers] == [False], answers


def test_a_hosted_request_the_stopped_answer_announces_later_is_stopped_as_it_starts() -> None:
    """Sans I/O: the blocked answer announces a hosted request after the trip; it starts
    (it must be answered) and is stopped at once, as a function call is."""
    refs = iter(range(1, 100))
    o = Orchestrator(lambda name, response_id: ToolTraits(), lambda: f"e{next(refs)}")
    o.response_started("r1", in_conversation=True)
    o.block("r1", "stopped")
    request = p.McpApprovalRequest(
        id="mcpr_1", server_label="bank", name="wire_money", arguments="{}"
    )
    decided = o.approval_arrived(request, "r1")
    assert [type(d) for d in decided] == [StartApproval, CancelCall]
    assert decided[1] == CancelCall("mcpr_1", "stopped")


async def test_a_request_stopped_before_it_is_asked_is_denied_as_cancelled() -> None:
    """The broker is told to stop a request before the request's task has asked it (its
    task starts on the loop's next pass): the policy never decides it, a rule's yes included."""
    events: list[Any] = []
    broker = ApprovalBroker(ApprovalPolicy(rules=[allow(server="bank")]), events.append)
    broker.stop("mcpr_1")
    request = ApprovalRequest.for_hosted(
        "mcpr_1", "bank", "wire_money", "{}", read_only=None, agent=None
    )
    decision = await broker.decide(request)
    assert (decision.approve, decision.decided_by) == (False, "cancelled")
    assert [e.type for e in events] == ["approval.requested", "approval.decided"]
    again = await broker.decide(request)  # stopped once: a later request is decided
    assert again.approve is True
