"""A hosted MCP approval request whose id an earlier response's request had (a server that
reuses ids: the orchestrator's ``started.request`` names it ``reused``, to be denied, never
asked about). Every request is listed twice, as every response lists its items: at its
``response.output_item.done`` and in its ``response.done``. A reused call id is started once
per response (``_started.first`` on its work id); a reused request is not: the first listing
is denied and answered, so ``batches.running`` is False by the second, which starts it again.
The same request is answered twice (a second ``mcp_approval_response`` with the same item id),
and the app hears two ``approval.requested``/``approval.decided`` for it, where
approvals.md says each request gets exactly one."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy, allow

from .hostile import hostile_server

pytestmark = pytest.mark.anyio


def request(rid: str) -> dict[str, Any]:
    return {
        "type": "mcp_approval_request",
        "id": "mcpr_1",  # the same id in both responses
        "server_label": "docs",
        "name": "search",
        "arguments": '{"q":"x"}',
    }


async def test_a_reused_request_id_is_answered_once_per_response() -> None:
    docs = rtagents.HostedMCP(
        server_label="docs", server_url="https://docs.example.com/mcp", require_approval="always"
    )
    agent = rtagents.Agent(
        name="h", tools=[docs], approval=ApprovalPolicy(rules=[allow(server="docs")])
    )
    async with hostile_server() as server:
        async with rtagents.connect(agent, url=server.url) as session:
            decided: list[Any] = []
            session.on("approval.decided")(decided.append)
            for n, rid in enumerate(("resp_1", "resp_2"), 1):
                item = request(rid)
                await server.send(
                    {
                        "type": "response.created",
                        "response": {"id": rid, "status": "in_progress", "output": []},
                    }
                )
                await server.output_item("done", item, response_id=rid)
                # The answer goes before the response ends (a response says more after it).
                await server.wait_for(lambda e, n=n: len(answers(server)) >= n)
                await server.send(
                    {
                        "type": "response.done",
                        "response": {"id": rid, "status": "completed", "output": [item]},
                    }
                )
                await server.wait_for(lambda e, n=n: len(server.sent("response.create")) >= n)
            with anyio.move_on_after(1):  # (a second answer, if any, goes at once)
                await server.wait_for(lambda e: len(answers(server)) > 2)
            got = answers(server)
            said = [(d.request.id, d.approve, d.decided_by) for d in decided]
            assert got == [True, False], f"the answers sent: {got}; approval.decided: {said}"
            assert len(decided) == 2


def answers(server: Any) -> list[bool]:
    return [
        e["item"]["approve"]
        for e in server.sent("conversation.item.create")
        if e["item"].get("type") == "mcp_approval_response"
    ]
