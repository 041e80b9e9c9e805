"""A ``conversation.item.create`` the emulator refuses still changes the session: a hosted MCP
approval answered ``approve: false`` becomes ``approve: true`` when the client sends a second
``mcp_approval_response`` under the same item id, which is refused (``item_id_duplicate``),
and the denied call runs at the next response.

``handlers.conversation_item_create`` calls ``core.hosted.answer(item)`` (and ``asked`` for an
``mcp_approval_request``) before ``conversation.add`` checks the id, so the refused item's
answer replaces the one the conversation holds. An event answered with ``error`` must change
nothing (docs/emulator.md: "a bad update changes nothing"), and a denied tool call must never
run on an answer the server refused (it fails open).
"""

from __future__ import annotations

from rtagents.emulator.actions import CallHostedTool, HostedResult
from rtagents.emulator.models import CallMCP

from .sansio import Core, types

TOOLS = [{"name": "delete_all", "description": "d", "input_schema": {"type": "object"}}]
SERVER = {
    "type": "mcp",
    "server_label": "files",
    "server_url": "http://127.0.0.1:1/mcp",
    "require_approval": "always",
}


def approval(item_id: str, request_id: str, approve: bool) -> dict[str, object]:
    item = {
        "type": "mcp_approval_response",
        "id": item_id,
        "approval_request_id": request_id,
        "approve": approve,
    }
    return {"type": "conversation.item.create", "item": item}


def test_a_refused_approval_response_does_not_approve_a_denied_call() -> None:
    ran: list[CallHostedTool] = []

    def call(action: CallHostedTool) -> HostedResult:
        ran.append(action)
        return HostedResult(output="everything deleted")

    core = Core(
        [CallMCP("files", "delete_all", {}), "OK, I won't.", "Anything else?"],
        hosted={"files": TOOLS},
        call=call,
    )
    core.send({"type": "session.update", "session": {"type": "realtime", "tools": [SERVER]}})
    events = core.send({"type": "response.create", "response": {"output_modalities": ["text"]}})
    request = next(
        e["item"]
        for e in events
        if e["type"] == "response.output_item.done" and e["item"]["type"] == "mcp_approval_request"
    )
    assert (
        types(core.send(approval("appr_1", request["id"], False)))[0] == "conversation.item.added"
    )
    refused = core.send(approval("appr_1", request["id"], True))
    assert [e["error"]["code"] for e in refused if e["type"] == "error"] == ["item_id_duplicate"]

    events = core.send({"type": "response.create", "response": {"output_modalities": ["text"]}})
    # Today: the call runs (response.mcp_call.completed), on the answer that was refused.
    assert "response.mcp_call.completed" not in types(events), types(events)
    assert ran == []
