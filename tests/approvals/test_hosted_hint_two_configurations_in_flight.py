"""Two configurations in flight (the app's ``update_agent(a)`` then ``update_agent(b)`` before
the first is answered), each agent with its own hosted server under the label ``docs``. The
reply to ``a``'s update comes, then ``a``'s server lists ``purge`` as read-only, then the
reply to ``b``'s. A request judged under ``b`` (the agent running) is not judged by ``a``'s
server's hint: the replies are taken in order, and a listing while ``b``'s is on its way
may be either server's, so its hints count for none (fail closed)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy, allow
from tests.session.hostile import hostile_server

pytestmark = pytest.mark.anyio

A_URL = "https://a.example.com/mcp"
B_URL = "https://b.example.com/mcp"


def naming(url: str) -> Any:
    def check(e: dict[str, Any]) -> bool:
        tools = e.get("session", {}).get("tools", []) if e["type"] == "session.update" else []
        return any(t.get("server_url") == url for t in tools)

    return check


async def test_a_listing_answering_the_first_of_two_updates_is_not_the_seconds() -> None:
    policy = ApprovalPolicy(rules=[allow(read_only=True)], timeout=0.5)
    a = rtagents.Agent(
        name="a", tools=[rtagents.HostedMCP("docs", server_url=A_URL)], approval=policy
    )
    b = rtagents.Agent(
        name="b", tools=[rtagents.HostedMCP("docs", server_url=B_URL)], approval=policy
    )
    decided: list[Any] = []
    async with hostile_server() as server:
        async with rtagents.connect(
            rtagents.Agent(name="start"), url=server.url, reconnect=None
        ) as session:
            session.on("approval.decided")(decided.append)
            server.answers_updates = False
            async with anyio.create_task_group() as tg:
                tg.start_soon(session.update_agent, a)
                sent_a = await server.wait_for(naming(A_URL))
                tg.start_soon(session.update_agent, b)
                sent_b = await server.wait_for(naming(B_URL))
                await server.send({"type": "session.updated", "session": sent_a["session"]})
                await server.hosted_listing("docs", {"purge": True})  # a's, from a's config
                await server.send({"type": "session.updated", "session": sent_b["session"]})
            assert session.agent is b
            answer = await server.hosted_request("docs", "purge")
    said = [(d.request.read_only, d.approve, d.decided_by, d.request.agent.name) for d in decided]
    assert answer["approve"] is False, (
        f"b's purge was approved by the readOnlyHint a's server gave its own purge: {said}"
    )
