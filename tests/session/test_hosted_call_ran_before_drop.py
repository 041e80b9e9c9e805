"""Rule broken: "No tool runs twice" across a reconnect (docs/session.md, "Reconnect and
replay"), and "hosted approvals a call spent: left out ... the server would run the tool
again".

A hosted MCP tool is approved and the server starts running it: the client has heard
``response.output_item.added`` for the ``mcp_call`` (naming its ``approval_request_id``), its
arguments and ``response.mcp_call.completed``. The connection drops before the call's
``output_item.done``/``conversation.item.done``. The journal never counted the approval as
spent, so the new session is given the request and its "yes" again, and the server runs the
MCP tool a second time (a write, a payment, ... done twice).

Over a real loopback socket, against a real MCP server (streamable HTTP) that counts its runs.
"""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy, Reconnect, allow
from rtagents.emulator import CallMCP, DropConnection, Emulator, ScriptedModel
from rtagents.mcp import HostedMCP
from rtagents.testing import mcp_server, serve_mcp_http

pytestmark = pytest.mark.anyio
FAST = Reconnect(backoff=0.01, max_backoff=0.05)


async def test_a_hosted_call_that_ran_before_the_drop_does_not_run_again() -> None:
    runs: list[str] = []
    server = mcp_server("bank")

    @server.tool()
    def transfer(amount: int) -> str:
        """Move money."""
        runs.append(f"transfer {amount}")
        return f"moved {amount}"

    events: list[Any] = []
    async with serve_mcp_http(server) as url:
        bank = HostedMCP(server_label="bank", server_url=url, require_approval="always")
        agent = rtagents.Agent(
            name="teller",
            tools=[bank],
            approval=ApprovalPolicy(rules=[allow(server="bank")]),
            output_modalities=["text"],
        )
        model = ScriptedModel([CallMCP("bank", "transfer", {"amount": 100}), "Done.", "Done."])
        async with Emulator(model=model) as emu:
            async with rtagents.connect(agent, url=emu.url, reconnect=FAST) as session:
                session.on("*")(events.append)
                emu.last.add_fault(DropConnection(after="response.mcp_call.completed"))
                await session.send_text("Move 100.")
                with anyio.fail_after(10):
                    async for event in session:
                        if event.type == "response.output_text.done":
                            break
                    else:
                        pytest.fail("the session ended before it answered")
    assert any(e.type == "session.reconnected" for e in events)
    assert runs == ["transfer 100"], f"the hosted tool ran {len(runs)} times: {runs}"
