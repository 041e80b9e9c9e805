"""A delegated call the server never announced before the connection dropped is answered
all the same, once the server names it (GPT-Live refuses a partial batch: ``response.create``
is refused with ``missing_tool_output`` naming the calls still owed).

On a server that loses the work under way with the connection (``DropConnection(loses_work=
True)``), a backend response that made two calls waits for both outputs, though the events
of the second were never sent: the session heard of one. It answered it and asked for the
next response, which the server refused, naming the other call: the turn stalled for good,
the user never answered (a review's suspicion, proved). The call named is answered as
``disconnected`` (never run: its arguments are not known), and the turn goes on."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.emulator import (
    CallFunction,
    CallMCP,
    DropConnection,
    Emulator,
    ModelContext,
    ScriptedModel,
)
from rtagents.mcp import HostedMCP
from rtagents.testing import mcp_server, serve_mcp_http
from tests.session.live.harness import speak, spoken

pytestmark = pytest.mark.anyio
FAST = Reconnect(backoff=0.01, max_backoff=0.05)
RAN: list[str] = []


@rtagents.tool
async def note(text: str) -> str:
    """Write a note."""
    RAN.append(text)
    return f"noted {text}"


def echo(ctx: ModelContext) -> str:
    said = [str(o.get("output", o.get("type"))) for o in ctx.pending_outputs]
    return "Answer: " + " | ".join(said) + " Done."


async def dropped_turn(agent: rtagents.Agent, turn: list[Any]) -> tuple[list[Any], list[Any]]:
    """``turn``, on a server that loses the work under way when the connection drops after
    the first call's arguments: the session's events up to the answer, and the conversation."""
    seen: list[Any] = []
    async with Emulator(model=ScriptedModel([turn, echo])) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live", reconnect=FAST) as session:
            emu.last.add_fault(
                DropConnection(after="response.function_call_arguments.done", loses_work=True)
            )
            await speak(session)
            with anyio.fail_after(10):
                async for event in session:
                    seen.append(event)
                    if spoken(seen).endswith("Done."):
                        break
                else:
                    pytest.fail("the session ended before the turn's answer")
        items: list[Any] = list(emu.connections[-1].conversation.items)
    return seen, items


async def test_a_call_the_drop_kept_from_the_session_is_answered_and_the_turn_goes_on() -> None:
    RAN.clear()
    calls = [
        CallFunction("note", {"text": "one"}, call_id="call_one"),
        CallFunction("note", {"text": "two"}, call_id="call_two"),
    ]
    _, items = await dropped_turn(rtagents.Agent(tools=[note]), calls)
    outputs = {i["call_id"]: i["output"] for i in items if i.get("type") == "function_call_output"}
    assert RAN == ["one"], RAN  # the call never heard of never ran
    assert sorted(outputs) == ["call_one", "call_two"], outputs
    assert json.loads(outputs["call_two"])["error"] == "disconnected", outputs["call_two"]


@pytest.mark.parametrize(
    ("message", "ids"),
    [
        ("No tool output found for function call call_two.", ["call_two"]),
        ("No tool output found for function calls call_a, call_b.", ["call_a", "call_b"]),
        ("No approval response found for MCP approval request mcpr_1.", ["mcpr_1"]),
        ("Something else went wrong.", []),
    ],
)
def test_the_calls_a_refusal_names(message: str, ids: list[str]) -> None:
    from rtagents.session.wire import owed_ids

    assert owed_ids(message) == ids


async def test_an_approval_request_the_drop_kept_from_the_session_is_denied_unseen() -> None:
    RAN.clear()
    charged: list[int] = []
    server = mcp_server("bank")

    @server.tool()
    def charge(amount: int) -> str:
        """Charge the card."""
        charged.append(amount)
        return f"charged {amount}"

    asked: list[Any] = []

    async def yes(request: rtagents.ApprovalRequest) -> bool:
        asked.append(request)
        return True

    turn = [
        CallFunction("note", {"text": "one"}, call_id="call_one"),
        CallMCP("bank", "charge", {"amount": 9}),
    ]
    async with serve_mcp_http(server) as url:
        agent = rtagents.Agent(
            tools=[note, HostedMCP("bank", url, require_approval="always")],
            approval=rtagents.ApprovalPolicy(handler=yes),
        )
        seen, items = await dropped_turn(agent, turn)
    answers = [i for i in items if i.get("type") == "mcp_approval_response"]
    assert [a["approve"] for a in answers] == [False], answers  # denied, once
    assert asked == [] and charged == [], (asked, charged)  # never asked about, never run
    decided = [e for e in seen if e.type == "approval.decided"]
    assert [e.approve for e in decided] == [False], decided


def test_a_refusal_naming_a_call_the_session_runs_never_answers_it_again() -> None:
    """Only a call the session never heard of is answered so: one it runs has its own
    output coming (a second, as a duplicate's error, would be a double answer)."""
    import json as _json

    from benchmarks._peer import _LIVE_SESSION, _live_frames_for_call
    from rtagents.session.actions import StartCall
    from rtagents.session.live import LiveCore
    from rtagents.session.orchestrator import ToolTraits

    core = LiveCore(lambda name, response_id: ToolTraits())
    started = {"type": "session.started", "event_id": "s0", "session": dict(_LIVE_SESSION)}
    core.receive_frame(_json.dumps(started))
    head, done = _live_frames_for_call(0)
    starts = [a for f in [*head, done] for a in core.receive_frame(f) if type(a) is StartCall]
    assert [s.call_id for s in starts] == ["call_0"]  # running
    for frame in _live_frames_for_call(1)[0][:2]:  # the next delegation's response begins
        core.receive_frame(frame)
    message = "No tool output found for function calls call_0, call_lost."
    refusal = {"type": "error", "event_id": "e1", "error": {"type": "invalid_request_error"}}
    refusal["error"]["message"] = message
    refusal["error"]["code"] = "missing_tool_output"
    again = [a for a in core.receive_frame(_json.dumps(refusal)) if type(a) is StartCall]
    assert [(s.call_id, s.cut_off) for s in again] == [("call_lost", True)]
