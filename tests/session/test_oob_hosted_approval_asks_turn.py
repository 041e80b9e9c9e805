"""Rule broken: an out-of-band response's work is the app's (docs/tools.md, commit 71ed186):
nothing of it goes into the conversation and no turn is asked in the conversation for it
(DESIGN.md: one ``response.create`` per batch of the conversation's own calls).

The fix covers function calls only. A hosted MCP approval request made by the app's own
``create_response(conversation="none")`` is still taken for a batch of the conversation:
the session answers it into the default conversation and then asks for a response *in the
conversation*, so the model takes a turn nobody asked for (it speaks to the user, and the
approved hosted tool runs there). Over a real loopback socket against a real MCP server.
"""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy, allow
from rtagents.emulator import CallMCP, Emulator, ScriptedModel
from rtagents.mcp import HostedMCP
from rtagents.testing import mcp_server, serve_mcp_http

pytestmark = pytest.mark.anyio


async def test_an_out_of_band_approval_request_asks_for_no_turn_in_the_conversation() -> None:
    server = mcp_server("crm")

    @server.tool()
    def tag(topic: str) -> str:
        """Tag the conversation."""
        return "tagged"

    events: list[Any] = []
    async with serve_mcp_http(server) as url:
        crm = HostedMCP(server_label="crm", server_url=url, require_approval="always")
        agent = rtagents.Agent(
            name="t",
            tools=[crm],
            approval=ApprovalPolicy(rules=[allow(server="crm")]),
            output_modalities=["text"],
        )
        model = ScriptedModel([CallMCP("crm", "tag", {"topic": "billing"}), "UNASKED TURN"])
        async with Emulator(model=model) as emu:
            async with rtagents.connect(agent, url=emu.url) as session:
                await session.create_response(
                    conversation="none", output_modalities=["text"], metadata={"k": "tag"}
                )
                with anyio.move_on_after(3):
                    async for event in session:
                        events.append(event)
    kinds = [e.type for e in events]
    assert "response.done" in kinds, kinds
    in_conversation = [
        e for e in events if e.type == "response.created" and e.response.conversation_id
    ]
    assert in_conversation == [], (
        "the session asked for a turn in the conversation for an out-of-band response's "
        f"approval request: {kinds}"
    )
