"""A delegated function call the server announced is answered exactly once, also when the
connection drops in the middle of it (DESIGN: exactly-once tool outputs across reconnects;
a call that cannot run still gets "an output the model can read ... so it can retry").

The backend's ``response.output_item.added`` names the call (its ``call_id`` and tool);
the connection drops before its arguments arrive. The session attaches again to the same
Live session. On a server that loses the work under way with the connection
(``DropConnection(loses_work=True)``) the backend's response waits for that call's output
(GPT-Live refuses a partial batch), and nothing sends the arguments again: the call is
answered as ``disconnected`` without running (its arguments are not known), and the turn
goes on. On one that carries the response on (the emulator's default), the arguments come
on the attached connection: the call runs once, with them."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.emulator import CallFunction, DropConnection, Emulator, ModelContext, ScriptedModel
from rtagents.session.events import ToolCallFailed
from tests.session.live.harness import speak

pytestmark = pytest.mark.anyio
FAST = Reconnect(backoff=0.01, max_backoff=0.05)


def echo(ctx: ModelContext) -> str:
    return "Answer: " + " | ".join(o["output"] for o in ctx.pending_outputs)


CHARGED: list[int] = []


@rtagents.tool
async def charge(amount: int) -> str:
    """Charge the customer's card."""
    CHARGED.append(amount)
    return f"charged {amount}"


async def dropped_after(
    kind: str, amount: int, *, loses_work: bool = True
) -> tuple[list[Any], list[dict[str, Any]]]:
    """A call of ``charge`` whose connection drops after the backend's ``kind`` event: the
    session's events, and what the attached session's conversation holds in the end."""
    CHARGED.clear()
    call = CallFunction("charge", {"amount": amount}, call_id="call_charge")
    agent = rtagents.Agent(tools=[charge])
    seen: list[Any] = []
    async with Emulator(model=ScriptedModel([call, echo])) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live", reconnect=FAST) as session:
            emu.last.add_fault(DropConnection(after=kind, loses_work=loses_work))
            await speak(session)
            with anyio.move_on_after(4):
                async for event in session:
                    seen.append(event)
        items = list(emu.connections[-1].conversation.items)
    assert "session.reconnected" in [e.type for e in seen], [e.type for e in seen]
    return seen, items


def outputs_of(items: list[dict[str, Any]]) -> list[str]:
    return [
        item["output"]
        for item in items
        if item.get("type") == "function_call_output" and item.get("call_id") == "call_charge"
    ]


async def test_a_call_cut_off_by_a_drop_still_gets_one_output() -> None:
    seen, items = await dropped_after("response.output_item.added", 5)
    outputs = outputs_of(items)
    assert len(outputs) == 1, f"the call got {len(outputs)} outputs"
    assert CHARGED == [], "a call whose arguments never arrived was run"
    assert json.loads(outputs[0])["error"] == "disconnected", outputs[0]
    failed = [(e.call_id, e.kind) for e in seen if isinstance(e, ToolCallFailed)]
    assert failed == [("call_charge", "disconnected")]
    # The turn goes on: the backend answers with the output it was given.
    answer = [i for i in items if i.get("type") == "message"][-1]
    assert answer["role"] == "assistant" and "disconnected" in json.dumps(answer), answer


async def test_a_call_whose_arguments_came_before_the_drop_runs_once() -> None:
    """The arguments arrived (the call started) and the drop came before the item's end:
    the call is not cut off, it runs once, and its own output is the one answer."""
    _, items = await dropped_after("response.function_call_arguments.done", 7)
    assert CHARGED == [7]
    assert outputs_of(items) == ["charged 7"]


async def test_a_call_cut_off_by_a_drop_runs_once_when_the_server_carries_it_on() -> None:
    seen, items = await dropped_after("response.output_item.added", 6, loses_work=False)
    assert CHARGED == [6], "the call whose arguments came on the attached connection"
    assert outputs_of(items) == ["charged 6"]
    assert not [e for e in seen if isinstance(e, ToolCallFailed)]
    answer = [i for i in items if i.get("type") == "message"][-1]
    assert "charged 6" in json.dumps(answer), answer
