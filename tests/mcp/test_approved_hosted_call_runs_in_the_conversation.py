"""An approved hosted MCP call runs in the conversation: the next in-conversation response
runs it, and that response's answer reads its output (mcp.md: the next turn of a hosted call
follows the one-per-batch rule of function calls; a filler is never the batch's answer).

Before, the emulator ran the calls approved since the last response at the start of the
next response of any kind: a filler (``conversation: "none"``) made while a slow function ran
took the hosted call, whose item and output then went into no conversation, and the batch's
answer never saw what the tool returned."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy, allow
from rtagents.emulator import CallFunction, CallMCP, Emulator, ModelContext, ScriptedModel
from rtagents.mcp import HostedMCP
from rtagents.testing import mcp_server, serve_mcp_http

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]


@rtagents.tool
async def lookup() -> str:
    """Look the order up (a slow service)."""
    await anyio.sleep(0.8)
    return "order found"


def answer(ctx: ModelContext) -> str:
    outs = [i.get("output") or "" for i in ctx.pending_outputs if i.get("output")]
    return "ANSWER: " + " | ".join(outs)


async def test_the_batchs_answer_sees_the_approved_hosted_calls_output() -> None:
    ran: list[str] = []
    server = mcp_server("crm")

    @server.tool()
    def tag(topic: str) -> str:
        """Tag the conversation."""
        ran.append(topic)
        return "tagged billing"

    async with serve_mcp_http(server) as url:
        agent = rtagents.Agent(
            name="t",
            tools=[lookup, HostedMCP("crm", url, require_approval="always")],
            approval=ApprovalPolicy(rules=[allow(server="crm")]),
            filler_after_ms=100,
            output_modalities=["text"],
        )
        model = ScriptedModel(
            [
                [CallFunction("lookup", {}), CallMCP("crm", "tag", {"topic": "billing"})],
                "Still looking.",
                answer,
            ]
        )
        dones: list[Any] = []
        async with Emulator(model=model) as emu:
            async with rtagents.connect(agent, url=emu.url) as session:
                await session.send_text("Where is my order? Tag this as billing.")
                with anyio.fail_after(10):
                    async for event in session:
                        if event.type == "response.done":
                            dones.append(event.response)
                            said = [
                                c.text
                                for i in event.response.output or []
                                if i.type == "message"
                                for c in i.content
                            ]
                            if any((s or "").startswith("ANSWER") for s in said):
                                break
                    else:
                        pytest.fail("the session ended before the answer")
    assert ran == ["billing"]
    where = [
        ("aside" if r.conversation_id is None else "conversation", i.type)
        for r in dones
        for i in r.output or []
        if i.type == "mcp_call"
    ]
    final = [c.text for i in dones[-1].output or [] if i.type == "message" for c in i.content]
    assert "tagged billing" in final[-1], f"the batch's answer never saw the hosted output: {final}"
    assert where == [("conversation", "mcp_call")], f"the approved hosted call ran in: {where}"
