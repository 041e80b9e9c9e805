"""docs/mcp.md: "The `readOnlyHint` that the server listed is in `request.read_only`" and
"`session.hosted_tools` keeps what each server listed"; docs/emulator.md (GPT-Live): hosted
MCP tools "run as on Realtime". A Responses backend lists a hosted server's tools as an
``mcp_list_tools`` output item (``openai.types.responses.ResponseOutputItem``), which the
session reads on GPT-Live too (``live_stream.DelegatedWork._on_item_done``).

The emulator's Live side never sends that listing (``ResponsesBridge`` drops "tool
listings"), so on ``api="live"`` a hosted request's ``read_only`` is always ``None``: the same
agent and policy (``allow(server="notes", read_only=True)``) approve a read-only lookup on the
Realtime endpoint and deny it on the Live one, and ``session.hosted_tools`` stays empty."""

from __future__ import annotations

from typing import Any

import pytest

import rtagents
from rtagents import ApprovalPolicy, allow
from rtagents.emulator import CallMCP, Emulator, ModelContext, ScriptedModel
from rtagents.mcp import HostedMCP
from tests.session.live.harness import speak, spoken, until

from ..mcp.servers import http_notes_server

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]


def said(ctx: ModelContext) -> str:
    return "answered " + " | ".join(
        str(o.get("output") or o.get("approve")) for o in ctx.pending_outputs
    )


async def test_a_read_only_hosted_tool_is_approved_by_rule_on_live_as_on_realtime() -> None:
    async with http_notes_server() as url:
        agent = rtagents.Agent(
            name="a",
            tools=[HostedMCP(server_label="notes", server_url=url, require_approval="always")],
            approval=ApprovalPolicy(rules=[allow(server="notes", read_only=True)], timeout=1),
        )
        model = ScriptedModel([CallMCP("notes", "lookup", {"key": "greeting"}), said])
        async with Emulator(model=model) as emu:
            async with rtagents.connect(agent, url=emu.live_url, api="live") as session:
                await speak(session)
                events: list[Any] = await until(session, lambda seen: "answered" in spoken(seen))
                listed = dict(session.hosted_tools)
    [decided] = [e for e in events if e.type == "approval.decided"]
    assert decided.request.read_only is True, (decided.decided_by, decided.reason)
    assert (decided.approve, decided.decided_by) == (True, "rule")
    assert "lookup" in [t.name for t in listed.get("notes", [])], listed
