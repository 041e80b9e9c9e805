"""A hosted request is decided "like a call of the agent whose response made it (its policy,
its hosted servers)" (session/hosted_approval.py), with "the `readOnlyHint` that the server
listed" in ``request.read_only`` (mcp.md, Hosted MCP): the hint of *its* server. Two agents
each have a hosted server under one label (``"docs"``, a different URL each). Triage hands
off to billing in the response that also asks to run triage's ``docs.purge``, and billing's
server marks its own ``purge`` read-only: triage's request is not judged by that hint
(``allow(read_only=True)`` would approve a tool triage's server listed with none)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy, allow
from tests.session.hostile import call_item, hostile_server

pytestmark = pytest.mark.anyio


async def test_a_request_of_the_leaving_agent_is_judged_by_its_own_servers_hints() -> None:
    policy = ApprovalPolicy(rules=[allow(read_only=True)], timeout=0.5)
    billing = rtagents.Agent(
        name="billing",
        instructions="You do billing.",
        tools=[rtagents.HostedMCP("docs", server_url="https://billing.example.com/mcp")],
        approval=policy,
    )
    triage = rtagents.Agent(
        name="triage",
        tools=[rtagents.HostedMCP("docs", server_url="https://triage.example.com/mcp")],
        approval=policy,
        handoffs=[billing],
    )
    decided: list[Any] = []
    async with hostile_server() as server:
        async with rtagents.connect(triage, url=server.url, reconnect=None) as session:
            session.on("approval.decided")(decided.append)
            await server.hosted_listing("docs", {"purge": None}, "mcpl_t")  # triage's: no hint
            await server.send(
                {"type": "response.created", "response": {"id": "r1", "status": "in_progress"}}
            )
            transfer = call_item("transfer_to_billing", {}, "call_t")
            await server.output_item("done", transfer, response_id="r1")
            await server.wait_for(
                lambda e: (
                    e["type"] == "session.update"
                    and e["session"].get("instructions") == "You do billing."
                )
            )
            with anyio.fail_after(5):
                while session.agent is not billing:
                    await anyio.sleep(0.01)
            await server.hosted_listing("docs", {"purge": True}, "mcpl_b")  # billing's own
            answer = await server.hosted_request("docs", "purge", created=True)  # triage's r1
    said = [(d.request.read_only, d.approve, d.decided_by, d.request.agent.name) for d in decided]
    assert answer["approve"] is False, (
        "triage's purge (listed by triage's server with no readOnlyHint) was approved as "
        f"read-only, by the hint billing's server gave its own purge: {said}"
    )
