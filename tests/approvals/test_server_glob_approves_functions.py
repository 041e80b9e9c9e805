"""A rule's ``server`` matches MCP tools only (docs/approvals.md: "``server`` (glob, MCP
only)"). ``allow(server="*")``, written to approve every MCP tool, must not approve a
function tool: a function call has no server, yet ``fnmatchcase("", "*")`` is true, so the
rule approves ``transfer`` and the money moves without anyone saying yes to it."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy, allow
from rtagents.emulator import CallFunction, Emulator, ScriptedModel

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(20)]


async def test_an_allow_rule_for_every_mcp_server_does_not_approve_a_function_tool() -> None:
    ran: list[dict[str, Any]] = []

    @rtagents.tool(needs_approval=True)
    def transfer(to: str, amount: int) -> str:
        """Send money to someone."""
        ran.append({"to": to, "amount": amount})
        return f"sent {amount} to {to}"

    policy = ApprovalPolicy(rules=[allow(server="*")], timeout=0.5)  # "any MCP server's tools"
    agent = rtagents.Agent(
        name="bank", tools=[transfer], approval=policy, output_modalities=["text"]
    )
    model = ScriptedModel([CallFunction("transfer", {"to": "eve", "amount": 900}), "Done."])
    decided = []
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, transport=emu.transport()) as session:
            await session.send_text("Send eve 900.")
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "approval.decided":
                        decided.append((event.approve, event.decided_by))
                    if event.type == "response.output_text.done":
                        break
                else:
                    pytest.fail("the session ended before the answer")
    assert ran == []
    assert decided and decided[0][0] is False
