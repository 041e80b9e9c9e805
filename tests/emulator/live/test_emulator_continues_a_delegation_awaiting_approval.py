"""The emulator's GPT-Live ``response.create`` goes on with "the first delegated response
whose calls all have their outputs" (``emulator/live/handlers.py``). A response that waits
for a hosted MCP approval has no function calls, so it counts as ready before it has its
answer: the client's request for another delegation's answered batch continues the
delegation whose approval is still unanswered, and the delegation it was sent for is left
waiting. Sans I/O, every frame checked by the openai SDK's Live types."""

from __future__ import annotations

from rtagents.emulator.models import CallFunction, CallMCP
from tests.emulator.live.oracle import inner
from tests.emulator.live.sansio import TIME, Live, responses

MCP = {"type": "mcp", "server_label": "docs", "server_url": "https://mcp.example.com"}
LISTED = {"docs": [{"name": "search", "input_schema": {"type": "object"}}]}


def test_response_create_continues_the_delegation_whose_outputs_are_in() -> None:
    live = Live(
        [
            CallMCP("docs", "search", {"q": "returns"}),  # delegation 1: asks for approval
            CallFunction("get_time", {}, call_id="call_t"),  # delegation 2: a function call
            "It is noon.",
        ],
        hosted=LISTED,
        transcribe=lambda data, ms: "hello",
    )
    live.start(delegation=responses(TIME, MCP))
    first = live.turn()
    [approval] = [
        e["item"]
        for e in inner(first, "response.output_item.done")
        if e["item"]["type"] == "mcp_approval_request"
    ]
    second = live.turn()
    delegations = [
        e["delegation"]["id"] for e in first + second if e["type"] == "session.delegation.created"
    ]
    assert len(delegations) == 2
    # Delegation 2's call gets its output and the client asks for its answer; delegation
    # 1's approval (approval["id"]) is still unanswered.
    output = {"type": "function_call_output", "call_id": "call_t", "output": "12:00"}
    assert live.send({"type": "response.item.create", "item": output}) == []
    events = live.send({"type": "response.create"}, event_id="ask_2")
    continued = {
        e["delegation_id"]
        for e in events
        if e["type"] == "response.event" and e["event"]["type"] == "response.created"
    }
    assert continued == {delegations[1]}, (
        f"the request continued {continued}, not delegation 2 ({delegations[1]}); delegation "
        f"1 still waits for the answer to approval {approval['id']}"
    )
