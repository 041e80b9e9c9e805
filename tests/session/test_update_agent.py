"""``session.update_agent``: what every call shares (the agent, its timeout, how failures are
told, the output limit) comes from the agent the session runs now, whether it is another
agent or the same one changed in place."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.approvals import ApprovalRequest
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel
from rtagents.tools import ToolContext, ToolFailure

pytestmark = pytest.mark.anyio


@rtagents.tool
async def lookup(query: str, ctx: ToolContext) -> str:
    """Takes a second."""
    await anyio.sleep(1)
    return f"{query} from {ctx.agent.name if ctx.agent else '?'}"


def echo(ctx: ModelContext) -> str:
    return " | ".join(o["output"] for o in ctx.pending_outputs)


async def one_call(session: rtagents.RealtimeSession, text: str) -> Any:
    await session.send_text(text)
    with anyio.fail_after(10):
        async for event in session:
            if event.type in ("tool.call.completed", "tool.call.failed"):
                return event
        else:
            pytest.fail("the session ended before the call was answered")


def told(failure: ToolFailure) -> str:
    return json.dumps({"told": failure.kind, "message": failure.message})


@pytest.mark.parametrize("how", ["another agent", "the same agent changed"])
async def test_call_settings_follow_the_agent_after_update_agent(how: str) -> None:
    model = ScriptedModel(
        [
            CallFunction("lookup", {"query": "a"}, call_id="c1"),
            echo,
            CallFunction("lookup", {"query": "b"}, call_id="c2"),
            echo,
        ]
    )
    first = rtagents.Agent(name="first", tools=[lookup], output_modalities=["text"])
    async with Emulator(model=model) as emu:
        async with rtagents.connect(first, url=emu.url) as session:
            before = await one_call(session, "one")
            assert before.type == "tool.call.completed" and before.output == "a from first"
            if how == "another agent":
                agent = first.clone(name="second", tool_timeout=0.2, format_failure=told)
            else:
                agent = first
                agent.name, agent.tool_timeout, agent.format_failure = "second", 0.2, told
            await session.update_agent(agent)
            after = await one_call(session, "two")
    # The new timeout applies, and the failure is told the new agent's way.
    assert after.type == "tool.call.failed" and after.kind == "timeout", after
    assert json.loads(after.output) == {"told": "timeout", "message": "no result after 0.2 s"}


@rtagents.tool(needs_approval=True)
async def refund(order: str) -> str:
    """Refund an order."""
    return f"refunded {order}"


@pytest.mark.parametrize("how", ["another agent", "the same agent changed"])
async def test_the_approval_policy_follows_the_agent(how: str) -> None:
    model = ScriptedModel(
        [
            CallFunction("refund", {"order": "A1"}, call_id="c1"),
            echo,
            CallFunction("refund", {"order": "A2"}, call_id="c2"),
            echo,
        ]
    )
    asked: list[str] = []

    def yes(request: ApprovalRequest) -> bool:
        asked.append(request.call_id or "")
        return True

    policy = rtagents.ApprovalPolicy(handler=yes)
    first = rtagents.Agent(
        name="first", tools=[refund], approval=policy, output_modalities=["text"]
    )
    async with Emulator(model=model) as emu:
        async with rtagents.connect(first, url=emu.url) as session:
            before = await one_call(session, "one")
            assert before.type == "tool.call.completed" and before.output == "refunded A1"
            if how == "another agent":
                agent = first.clone(name="second", approval=None)
            else:
                agent, first.approval = first, None
            await session.update_agent(agent)
            await session.send_text("two")
            # The new agent has no policy: the default, which leaves the request to an
            # outside answer; the old handler's yes does not carry over.
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "approval.awaiting":
                        await session.deny(event.request.id, "not by the old policy")
                    elif event.type in ("tool.call.completed", "tool.call.failed"):
                        break
                else:
                    pytest.fail("the session ended before the call was answered")
    assert asked == ["c1"]
    assert event.type == "tool.call.failed" and event.kind == "denied", event


@pytest.mark.parametrize("how", ["another agent", "the same agent changed"])
async def test_a_yes_remembered_for_the_session_does_not_pass_the_next_policys_rules(
    how: str,
) -> None:
    model = ScriptedModel(
        [
            CallFunction("refund", {"order": "A1"}, call_id="c1"),
            echo,
            CallFunction("refund", {"order": "A1"}, call_id="c2"),  # the same call again
            echo,
        ]
    )
    lenient = rtagents.ApprovalPolicy(
        handler=lambda request: rtagents.Decision(True, remember="session")
    )
    strict = rtagents.ApprovalPolicy(rules=[rtagents.deny(tool="refund", reason="not here")])
    first = rtagents.Agent(
        name="first", tools=[refund], approval=lenient, output_modalities=["text"]
    )
    async with Emulator(model=model) as emu:
        async with rtagents.connect(first, url=emu.url) as session:
            before = await one_call(session, "one")
            assert before.type == "tool.call.completed"
            if how == "another agent":
                agent = first.clone(name="second", approval=strict)
            else:
                agent, first.approval = first, strict
            await session.update_agent(agent)
            after = await one_call(session, "two")
    assert after.type == "tool.call.failed" and after.kind == "denied", after
    assert "not here" in after.output
