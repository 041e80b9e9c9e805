"""The emulator reads a hosted MCP filter's ``tool_names`` as the names of tools, as the
client does (``HostedMCP.allows``, the agent's warnings) and as the API documents them: a
name with a ``*`` in it is one name, not a pattern. Read as a pattern, ``never`` for
``get_*`` ran ``get_balance`` with no approval request, which the real server would ask for."""

from __future__ import annotations

from typing import Any

import pytest

import rtagents
from rtagents import ApprovalPolicy, deny
from rtagents.emulator import CallMCP, Emulator, ModelContext, ScriptedModel
from rtagents.mcp import HostedMCP
from rtagents.testing import mcp_server, serve_mcp_http

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]


def _bank(ran: list[str]) -> Any:
    server = mcp_server("bank")

    @server.tool()
    def get_balance() -> str:
        """The account's balance."""
        ran.append("get_balance")
        return "100"

    return server


def _answer(ctx: ModelContext) -> str:
    outputs = [i.get("output") or i.get("error") for i in ctx.pending_outputs]
    return f"told: {outputs}"


@pytest.mark.filterwarnings("ignore:Agent 'b'")  # (the deny is there to be asked: fine)
@pytest.mark.parametrize(
    ("names", "asked"), [(["get_*"], True), (["get_balance"], False)], ids=["pattern", "exact"]
)
async def test_a_never_filter_names_tools_exactly(names: list[str], asked: bool) -> None:
    ran: list[str] = []
    async with serve_mcp_http(_bank(ran)) as url:
        rule = {"never": {"tool_names": names}}
        agent = rtagents.Agent(
            name="b",
            tools=[HostedMCP("bank", url, require_approval=rule)],
            approval=ApprovalPolicy(rules=[deny(server="bank")]),
            output_modalities=["text"],
        )
        model = ScriptedModel([CallMCP("bank", "get_balance", {}), _answer])
        async with Emulator(model=model) as emu:
            async with rtagents.connect(agent, transport=emu.transport) as session:
                events = await session.ask("My balance?")
    requested = [e for e in events if e.type == "approval.requested"]
    assert bool(requested) is asked, [e.type for e in events]
    assert ran == ([] if asked else ["get_balance"])  # asked: denied, never run
