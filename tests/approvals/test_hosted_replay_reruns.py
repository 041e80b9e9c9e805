"""A hosted MCP call approved once runs once: a reconnect's replay must not approve it again.

The session replays the conversation to a new connection. It sends the hosted
``mcp_approval_request`` and our ``mcp_approval_response`` with ``approve: true`` again,
although the ``mcp_call`` it approved already ran (and is replayed too): the server takes the
replayed yes as a new approval, and the side-effecting tool runs a second time with nobody
having approved that run.
"""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from mcp_types import ToolAnnotations

import rtagents
from rtagents import ApprovalPolicy, Reconnect, allow
from rtagents.emulator import CallMCP, Emulator, ModelContext, ScriptedModel
from rtagents.mcp import HostedMCP
from rtagents.testing import mcp_server, serve_mcp_http

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]
FAST = Reconnect(backoff=0.01, max_backoff=0.05)


def _pay_server(charges: list[int]) -> Any:
    server = mcp_server("pay")

    @server.tool(annotations=ToolAnnotations(read_only_hint=False))
    def charge(amount: int) -> str:
        """Charge the customer's card."""
        charges.append(amount)
        return f"charged {amount}"

    return server


def _answer(ctx: ModelContext) -> str:
    return "done: " + " | ".join(
        i["output"] for i in ctx.pending_outputs if i["type"] == "mcp_call"
    )


async def test_a_reconnect_does_not_run_an_approved_hosted_call_again() -> None:
    charges: list[int] = []
    async with serve_mcp_http(_pay_server(charges)) as url:
        agent = rtagents.Agent(
            name="p",
            tools=[HostedMCP("pay", url, require_approval="always")],
            approval=ApprovalPolicy(rules=[allow(server="pay", tool="charge")]),
            output_modalities=["text"],
        )
        model = ScriptedModel([CallMCP("pay", "charge", {"amount": 5}), _answer, "ok"])
        async with Emulator(model=model) as emu:
            async with rtagents.connect(agent, transport=emu.transport, reconnect=FAST) as session:
                events = await session.ask("Charge 5.")
                said = [e.text for e in events if e.type == "response.output_text.done"]
                assert said == ["done: charged 5"]
                assert charges == [5]  # approved once, run once
                emu.last.drop()
                with anyio.fail_after(10):
                    async for event in session:
                        if event.type == "session.reconnected":
                            break
                    else:
                        pytest.fail("the session ended before it reconnected")
                events = await session.ask("Thanks.")
                assert [e.text for e in events if e.type == "response.output_text.done"] == ["ok"]
                replayed = [
                    f["item"]
                    for f in emu.last.received
                    if f["type"] == "conversation.item.create"
                    and f["item"]["type"] == "mcp_approval_response"
                    and f["item"]["approve"] is True
                ]
    # Nobody approved a second charge: the replay carried the old yes again, and it ran.
    assert charges == [5], f"the tool ran again after the reconnect; replayed yes: {replayed}"
