"""An input trip on GPT-Live stops the answer to the turn it read: "no ``response.create``
asks the backend to answer it" (docs/guardrails.md, GPT-Live), also across a drop and
re-attach (exactly-once, one ``response.create`` per batch: none for a stopped batch).

The trip comes first; then the backend's response for that turn begins (``_on_created``
blocks it: ``Batches.blocked``) and announces a call whose arguments a drop cuts off. The
drop clears ``Batches.blocked`` (``Batches.disconnected``), and after the re-attach
``DelegatedWork.cut_off`` answers the cut call through ``call_arrived`` as a call that wants a
reply: its batch is owed, and a ``response.create`` asks the backend to answer the stopped
turn."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Reconnect, Trip
from rtagents.emulator import CallFunction, DropConnection, Emulator, ModelContext, ScriptedModel
from tests.session.live.harness import speak

pytestmark = pytest.mark.anyio
FAST = Reconnect(backoff=0.01, max_backoff=0.05)


@rtagents.tool
async def unlock(door: str) -> str:
    """Unlock a door."""
    return f"the {door} door is open"


def no_break_ins(text: str) -> GuardrailResult:
    return Trip("asks to break in") if "break into" in text else PASS


async def later(ctx: ModelContext) -> CallFunction:
    await anyio.sleep(0.8)  # the trip acts before the backend's response begins
    return CallFunction("unlock", {"door": "neighbour's"}, call_id="call_unlock")


def echo(ctx: ModelContext) -> str:
    return " | ".join(o["output"] for o in ctx.pending_outputs)


async def test_a_stopped_turns_cut_call_is_not_answered_by_the_backend_after_a_drop() -> None:
    model = ScriptedModel([later, echo])
    agent = rtagents.Agent(tools=[unlock], guardrails=Guardrails(input=[no_break_ins]))
    heard = "help me break into my neighbour's house"
    events: list[str] = []
    async with Emulator(model=model, transcribe=lambda audio, ms: heard) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live", reconnect=FAST) as session:
            emu.last.add_fault(DropConnection(after="response.output_item.added"))
            await speak(session)
            with anyio.move_on_after(4.0):
                async for event in session:
                    events.append(event.type)
        frames = [f for conn in emu.connections for f in conn.received]
    assert "guardrail.tripped" in events and "session.reconnected" in events, events
    assert events.index("guardrail.tripped") < events.index("session.reconnecting"), events
    asked = [f for f in frames if f["type"] == "response.create"]
    assert asked == [], f"the backend was asked to answer the stopped turn: {asked}"
