"""docs/approvals.md: "Each request gets exactly one `approval.requested` and one
`approval.decided`"; docs/failures.md: "the call is answered" (a `call_id` a later response
reuses is answered with an error, never run).

The orchestrator records approval-request ids and call ids in one ``started`` dict
(``session/started.py``). A function call that reuses a request's id is answered (as a
duplicate); the mirror case is not: an ``mcp_approval_request`` whose id a later response
reuses (an earlier call's ``call_id``, or an earlier request's id, here for another tool) is
dropped by ``started.request``. No ``approval.requested``, no ``approval.decided``, no
``mcp_approval_response``: the server waits for an answer that never comes, and the turn
stalls."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy, allow
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.mcp import HostedMCP
from tests.approvals.test_fail_closed import hosted_request
from tests.session.live.frames import call_item
from tests.session.test_handoff_scope import created, item_done, until

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]


@rtagents.tool
def lookup(q: str) -> str:
    """Look something up."""
    return f"found {q}"


def done(rid: str) -> str:
    response = {"id": rid, "object": "realtime.response", "status": "completed", "output": []}
    return json.dumps({"type": "response.done", "event_id": f"d_{rid}", "response": response})


def request(request_id: str, name: str) -> dict[str, Any]:
    return {
        "type": "mcp_approval_request",
        "id": request_id,
        "server_label": "docs",
        "name": name,
        "arguments": "{}",
    }


AGENT = rtagents.Agent(
    name="a",
    tools=[lookup, HostedMCP(server_label="docs", server_url="http://127.0.0.1:9/mcp")],
    approval=ApprovalPolicy(rules=[allow(server="docs", tool="search")], timeout=2),
    output_modalities=["text"],
)


async def answers_to(request_id: str, first: list[str]) -> tuple[list[Any], list[Any]]:
    """Play ``first`` (an earlier response using ``request_id``), then a later response
    whose approval request reuses it: the decisions, and our answers to that id."""
    events: list[Any] = []
    async with Emulator(model=ScriptedModel(["ok", "ok", "ok"])) as emu:
        async with rtagents.connect(AGENT, url=emu.url) as session:
            session.on("*")(events.append)
            conn = emu.last
            for frame in first:
                await conn.send_raw(frame)
            await until(events, lambda e: e.type in ("approval.decided", "tool.call.completed"))
            await conn.send_raw(created("resp_2"))
            await conn.send_raw(item_done("resp_2", 0, request(request_id, "delete_all")))
            await conn.send_raw(done("resp_2"))
            with anyio.move_on_after(2):
                await until(
                    events,
                    lambda e: e.type == "approval.decided" and e.request.tool_name == "delete_all",
                )
            answers = [
                f["item"]
                for f in conn.received
                if f["type"] == "conversation.item.create"
                and f["item"]["type"] == "mcp_approval_response"
                and f["item"]["approval_request_id"] == request_id
            ]
    decided = [e for e in events if e.type == "approval.decided"]
    return decided, answers


async def test_a_request_reusing_a_calls_id_is_answered() -> None:
    first = [
        created("resp_1"),
        item_done("resp_1", 0, call_item("x1", "lookup", '{"q": "a"}')),
        done("resp_1"),
    ]
    decided, answers = await answers_to("x1", first)
    assert [(d.request.tool_name, d.approve) for d in decided] == [("delete_all", False)]
    assert [a["approve"] for a in answers] == [False]


async def test_a_request_reusing_an_earlier_requests_id_is_answered() -> None:
    decided, answers = await answers_to(
        "mcpr_1", hosted_request(None, "mcpr_1", "docs", "search", "{}")
    )
    assert [(d.request.tool_name, d.approve) for d in decided] == [
        ("search", True),
        ("delete_all", False),
    ]
