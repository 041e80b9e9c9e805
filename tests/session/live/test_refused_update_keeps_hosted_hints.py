"""docs/live.md: a handoff or ``update_agent`` GPT-Live cannot take "is refused before
anything is sent (``SessionConfigError``)", and "the session stays with the agent it had";
DESIGN.md: approval rules go "by ... MCP ``readOnlyHint``". A configuration refused (before
it is sent, or by the server's error) names no hosted server: the read-only hints of the
server the session still runs count as before. Before, the runner recorded the refused
agent's hosted servers as a configuration on its way, never answered: every listing of the
label was then taken as ambiguous for the rest of the session, and a read-only lookup the
policy approves by rule was left to time out."""

from __future__ import annotations

from typing import Any

import pytest

import rtagents
from rtagents import ApprovalPolicy, allow
from rtagents.emulator import CallMCP, Emulator, ModelContext, ScriptedModel
from rtagents.errors import SessionConfigError
from rtagents.mcp import HostedMCP
from rtagents.protocol import McpListedTool
from rtagents.session.hosted_listings import HostedListings
from tests.mcp.servers import http_notes_server
from tests.session.live.harness import speak, spoken, until

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]


def said(ctx: ModelContext) -> str:
    return "answered " + " | ".join(
        str(o.get("output") or o.get("approve")) for o in ctx.pending_outputs
    )


async def test_a_refused_update_agent_leaves_the_read_only_hint_counting() -> None:
    async with http_notes_server() as url:
        agent = rtagents.Agent(
            name="a",
            tools=[HostedMCP(server_label="notes", server_url=url, require_approval="always")],
            approval=ApprovalPolicy(rules=[allow(server="notes", read_only=True)], timeout=1),
        )
        # Asks for client delegation: GPT-Live cannot change kind, refused before sending.
        other = rtagents.Agent(
            name="b",
            tools=[HostedMCP(server_label="notes", server_url="https://elsewhere.example/mcp")],
            live=rtagents.LiveOptions(delegation="client"),
        )
        model = ScriptedModel([CallMCP("notes", "lookup", {"key": "greeting"}), said])
        async with Emulator(model=model) as emu:
            async with rtagents.connect(agent, url=emu.live_url, api="live") as session:
                with pytest.raises(SessionConfigError):
                    await session.update_agent(other)
                assert session.agent is agent
                await speak(session)
                events: list[Any] = await until(session, lambda seen: "answered" in spoken(seen))
    [decided] = [e for e in events if e.type == "approval.decided"]
    assert decided.request.read_only is True, (decided.decided_by, decided.reason)
    assert (decided.approve, decided.decided_by) == (True, "rule")


def test_a_configuration_the_server_refused_names_no_server() -> None:
    running = HostedMCP(server_label="notes", server_url="https://notes.example/mcp")
    other = HostedMCP(server_label="notes", server_url="https://elsewhere.example/mcp")
    listings = HostedListings()
    listings.configuring(rtagents.Agent(name="a", tools=[running]))
    listings.configured()
    listings.configuring(rtagents.Agent(name="b", tools=[other]))
    listings.refused()  # (the server's error answered it)
    listings["notes"] = [McpListedTool(name="lookup", input_schema={})]
    assert list(listings.listed_by("notes", running)) == ["lookup"]
