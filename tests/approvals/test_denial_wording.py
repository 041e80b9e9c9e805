"""What the model reads when a call is denied says what decided: a rule (with its reason),
the agent's approval handler, an outside answer (``session.deny``), a timeout, an error, a
remembered decision. Never "the user declined" for a no the user never gave."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy, ApprovalRequest, Decision, deny
from rtagents.emulator import CallFunction, ModelContext
from rtagents.testing import SessionRecord, run_agent, run_session

pytestmark = pytest.mark.anyio


@rtagents.tool(needs_approval=True)
def refund(order: str) -> str:
    """Refund an order."""
    return f"refunded {order}"


def echo(ctx: ModelContext) -> str:
    """The model says the output it got: what it was told is what we check."""
    return " | ".join(o["output"] for o in ctx.pending_outputs)


CALL = [CallFunction("refund", {"order": "A1"}), echo]


def shop(policy: ApprovalPolicy) -> rtagents.Agent:
    return rtagents.Agent(name="shop", tools=[refund], approval=policy, output_modalities=["text"])


def told(record: SessionRecord) -> str:
    """The message of the denial the model read."""
    [failure] = record.of("tool.call.failed")
    assert failure.kind == "denied"
    body = json.loads(record.reply)
    assert body["error"] == "denied" and body["message"] == failure.message
    message: str = body["message"]
    return message


async def denied_by(policy: ApprovalPolicy) -> str:
    agent = shop(policy)
    return told(await run_agent(agent, CALL, "refund A1", socket=True))


async def test_a_rule_says_it_was_a_rule_and_its_reason() -> None:
    message = await denied_by(ApprovalPolicy(rules=[deny(tool="refund", reason="no refunds")]))
    assert message == (
        "the call was not approved: a rule of the approval policy denied it (no refunds)"
    )


@pytest.mark.parametrize(
    ("answer", "reason"), [(False, ""), (Decision(False, "over the limit"), " (over the limit)")]
)
async def test_the_agents_handler_is_named_not_the_user(answer: Any, reason: str) -> None:
    message = await denied_by(ApprovalPolicy(handler=lambda request: answer))
    assert message == f"the call was not approved: the agent's approval handler denied it{reason}"


async def test_a_timeout_says_nobody_answered_in_time() -> None:
    async def never(request: ApprovalRequest) -> bool:
        await anyio.sleep(30)
        return True

    message = await denied_by(ApprovalPolicy(handler=never, timeout=0.2))
    assert message == (
        "the call was not approved: nobody answered in time (nobody approved it within 0.2 s)"
    )


async def test_a_failing_handler_says_the_approval_failed() -> None:
    def broken(request: ApprovalRequest) -> bool:
        raise ValueError("the approvals database is down")

    message = await denied_by(ApprovalPolicy(handler=broken))
    assert message.startswith("the call was not approved: the approval failed, so it was denied")
    assert "the approvals database is down" in message


async def test_an_outside_no_says_it_came_from_outside() -> None:
    agent = shop(ApprovalPolicy())

    async def drive(session: rtagents.RealtimeSession, emu: Any) -> None:
        @session.on("approval.awaiting")
        async def _(event: Any) -> None:
            await session.deny(event.request.id, reason="the manager said no")

        await session.send_text("refund A1")

    record = await run_session(
        agent, CALL, drive, until=lambda r: bool(r.of("response.output_text.done")), socket=True
    )
    assert told(record) == (
        "the call was not approved: it was declined from outside the agent, by session.deny "
        "(the manager said no)"
    )


async def test_a_remembered_no_says_it_was_decided_earlier() -> None:
    asked: list[str] = []

    def once(request: ApprovalRequest) -> Decision:
        asked.append(request.tool_name)
        return Decision(False, "not today", remember="session")

    agent = shop(ApprovalPolicy(handler=once))
    record = await run_agent(agent, CALL + CALL, ["refund A1", "again"], socket=True)
    assert asked == ["refund"]
    messages = [json.loads(reply)["message"] for reply in record.replies]
    assert messages == [
        "the call was not approved: the agent's approval handler denied it (not today)",
        "the call was not approved: an earlier decision in this session denied it (not today)",
    ]
