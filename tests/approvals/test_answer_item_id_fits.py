"""The API refuses an item whose id is longer than 32 characters ("Invalid 'item.id': string
too long"), and its hosted approval requests have ids longer than that. The answer to one
goes as an item whose id fits, however long the request's id is (the same id every time
it is sent, so a server that has it refuses a second copy), naming the request whole."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy, allow
from tests.session.hostile import hostile_server

pytestmark = pytest.mark.anyio

LONG_ID = "mcpr_68a4c7d2b1e9f03a5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f"  # as the API's are


async def test_the_answer_to_a_long_request_id_has_an_id_the_api_takes() -> None:
    hosted = rtagents.HostedMCP("docs", server_url="https://docs.example.com/mcp")
    agent = rtagents.Agent(
        name="a", tools=[hosted], approval=ApprovalPolicy(rules=[allow(server="docs")])
    )
    async with hostile_server() as server:
        async with rtagents.connect(agent, url=server.url, reconnect=None):
            with anyio.fail_after(5):
                answer = await server.hosted_request("docs", "search", LONG_ID)
    assert answer["approval_request_id"] == LONG_ID and answer["approve"] is True
    assert len(answer["id"]) <= 32, answer["id"]
