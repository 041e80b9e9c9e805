"""A transfer to an agent whose local MCP tools clash with its function tools (even once
renamed) must be refused cleanly: the session stays with the agent it had (its tools, its
approval policy), as for any refused handoff."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel
from rtagents.mcp import MCPServerStdio
from rtagents.testing import sent_outputs

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]

REVIEW_SERVER = str(Path(__file__).with_name("review_server.py"))


@rtagents.tool(needs_approval=True)
def refund(order_id: str) -> str:
    """Refund an order."""
    return f"refunded {order_id}"


@rtagents.tool
def lookup(key: str) -> str:
    """A function tool named like the server's tool."""
    return key


@rtagents.tool
def rv_lookup(key: str) -> str:
    """A function tool named like the server's tool once renamed."""
    return key


def echo(ctx: ModelContext) -> str:
    return " | ".join(o["output"] for o in ctx.pending_outputs)


async def test_a_transfer_refused_for_an_mcp_name_clash_leaves_the_session_as_it_was() -> None:
    server = MCPServerStdio(sys.executable, [REVIEW_SERVER], name="rv")
    notes = rtagents.Agent(
        name="notes", tools=[lookup, rv_lookup, server], output_modalities=["text"]
    )  # no approval policy: denies what asks
    desk = rtagents.Agent(
        name="desk",
        tools=[refund],
        handoffs=[notes],
        approval=rtagents.ApprovalPolicy(rules=[rtagents.allow(tool="refund")]),
        output_modalities=["text"],
    )
    turns = [
        CallFunction("transfer_to_notes", {}, call_id="t"),
        CallFunction("refund", {"order_id": "7"}, call_id="r"),
        echo,
    ]
    async with server:
        async with Emulator(model=ScriptedModel(turns)) as emu:
            async with rtagents.connect(desk, transport=emu.transport()) as session:
                await session.send_text("go")
                events: list[Any] = []
                with anyio.fail_after(10):
                    async for event in session:
                        events.append(event)
                        if len([e for e in events if e.type == "response.done"]) >= 3:
                            break
                    else:
                        pytest.fail(f"the session ended first: {[e.type for e in events]}")
                agent_after = session.agent.name
                tools_after = sorted(session.tools.names())
            outputs = sent_outputs(emu.last.received)
    assert "transfer" in outputs["t"] or "not transferred" in outputs["t"], outputs["t"]
    assert outputs["r"] == "refunded 7", f"desk's approved refund: {outputs['r']}"
    assert agent_after == "desk", f"session.agent is {agent_after!r} but runs {tools_after}"
