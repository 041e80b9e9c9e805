"""A SIP call's sideband: the call was accepted with the agent's own configuration (its hosted
server ``docs``), so the server lists ``docs`` from the accept, whenever that listing ends.
Here it ends while the sideband's first ``session.update`` (the same agent, the same
server) is on its way. The session knows the accept's servers from ``session.created``, so
the listing is of the one server both name: its ``readOnlyHint`` counts, and
``allow(read_only=True)`` approves the read-only ``lookup`` (the server does not list again:
the configuration did not change)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy, allow
from tests.session.hostile import hostile_server

pytestmark = pytest.mark.anyio

URL = "https://docs.example.com/mcp"


async def test_the_accepted_servers_listing_counts_on_the_sideband() -> None:
    agent = rtagents.Agent(
        name="a",
        tools=[rtagents.HostedMCP("docs", server_url=URL)],
        approval=ApprovalPolicy(rules=[allow(read_only=True)], timeout=0.5),
    )
    decided: list[Any] = []
    async with hostile_server() as server:
        server.answers_updates = False

        async def serve_first_update() -> None:
            update = await server.wait_for(lambda e: e["type"] == "session.update")
            await server.hosted_listing("docs", {"lookup": True})  # the accept's, done now
            await server.send({"type": "session.updated", "session": update["session"]})

        async with anyio.create_task_group() as tg:
            tg.start_soon(serve_first_update)
            with anyio.fail_after(10):
                async with rtagents.connect(
                    agent, url=server.url, call_id="rtc_123", reconnect=None
                ) as session:
                    session.on("approval.decided")(decided.append)
                    answer = await server.hosted_request("docs", "lookup")
    said = [(d.request.read_only, d.approve, d.decided_by) for d in decided]
    assert answer["approve"] is True, (
        f"the read-only lookup of the agent's own server was not approved: {said}"
    )
