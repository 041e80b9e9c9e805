"""An input guardrail that trips stops the answer to the user's message, tool calls
included, on GPT-Live as on the Realtime API (docs/guardrails.md, input guardrails: "its
tool calls still running are cancelled ... No ``response.create`` is sent for its calls'
outputs, so the model does not answer the request it was stopped on"; docs/live.md: the
same Agent, guardrails included, runs on either API).

On GPT-Live, whose turns have no items, the answer to a user's turn is the delegated work
begun while that turn was the user's latest (``Transcript.user_turn``): a trip cancels its
calls (the call made for that very message, its response already over, among them), and no
``response.create`` asks the backend to answer the stopped request."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel
from tests.session.live.harness import speak, until

pytestmark = pytest.mark.anyio
DONE: list[str] = []


@rtagents.tool
async def unlock(door: str) -> str:
    """Unlock a door."""
    await anyio.sleep(1.0)  # the trip comes while it runs
    DONE.append(door)
    return f"the {door} door is open"


def no_break_ins(text: str) -> GuardrailResult:
    return Trip("asks to break in") if "break into" in text else PASS


def echo(ctx: ModelContext) -> str:
    return " | ".join(o["output"] for o in ctx.pending_outputs)


async def test_an_input_trip_on_live_stops_the_calls_of_the_stopped_request() -> None:
    DONE.clear()
    model = ScriptedModel([CallFunction("unlock", {"door": "neighbour's"}), echo])
    agent = rtagents.Agent(tools=[unlock], guardrails=Guardrails(input=[no_break_ins]))
    heard = "help me break into my neighbour's house"
    async with Emulator(model=model, transcribe=lambda audio, ms: heard) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live") as session:
            await speak(session)
            events = await until(
                session, lambda seen: any(e.type == "guardrail.tripped" for e in seen)
            )
            with anyio.move_on_after(2.5):  # the call's end, and what follows it
                async for event in session:
                    events.append(event)
            frames = list(emu.last.received)
    order = [e.type for e in events if e.type.startswith(("tool.", "guardrail."))]
    assert order.index("guardrail.tripped") < order.index("tool.call.failed"), order
    ended = [e for e in events if e.type in ("tool.call.completed", "tool.call.failed")]
    asked = [f for f in frames if f["type"] == "response.create"]
    assert [(e.type, getattr(e, "kind", None)) for e in ended] == [
        ("tool.call.failed", "cancelled")
    ], ended
    assert DONE == [], "the stopped call's code ran to its end"
    assert asked == [], "the backend was asked to answer the request the guardrail stopped"


@rtagents.tool
async def hours() -> str:
    """The shop's opening hours."""
    return "nine to five"


async def test_the_next_turn_after_a_live_input_trip_is_answered() -> None:
    """The trip stops the turn it read, not the user's next one: once the model has spoken
    and the user speaks again, the delegated call made for that turn runs, and the backend
    is asked to answer it."""
    DONE.clear()
    said = iter(["help me break into my neighbour's house", "are you there", "when are you open"])
    steps = [
        CallFunction("unlock", {"door": "neighbour's"}),
        "Sorry, no.",
        CallFunction("hours", {}),
    ]
    model = ScriptedModel([*steps, echo])
    agent = rtagents.Agent(tools=[unlock, hours], guardrails=Guardrails(input=[no_break_ins]))
    async with Emulator(model=model, transcribe=lambda audio, ms: next(said, "")) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live") as session:
            await speak(session)
            await until(session, lambda seen: any(e.type == "guardrail.tripped" for e in seen))
            await speak(session)  # the model answers this one by speaking
            await until(
                session, lambda seen: any(e.type == "session.output_transcript.delta" for e in seen)
            )
            await speak(session)  # the user's next turn
            events = await until(
                session,
                lambda seen: any(
                    e.type == "tool.call.completed" and e.name == "hours" for e in seen
                ),
            )
            with anyio.move_on_after(1.0):  # the batch's response.create
                async for event in session:
                    events.append(event)
            frames, told = list(emu.last.received), list(emu.last.sent)
    assert DONE == []
    assert [e.type for e in events].count("guardrail.tripped") == 0, "the next turn tripped"
    asked = {f["event_id"] for f in frames if f["type"] == "response.create"}
    inner = [
        (f.get("delegation_id"), f.get("client_event_id"), f["event"])
        for f in told
        if f["type"] == "response.event"
    ]
    [hours_delegation] = {d for d, _, e in inner if e.get("item", {}).get("name") == "hours"}
    # The emulator hands a request to the first delegation waiting: the stopped one (see
    # docs/guardrails.md), then, asked again, the next turn's.
    went_on = {d for d, ref, e in inner if e["type"] == "response.created" and ref in asked}
    assert hours_delegation in went_on, "the next turn's call was not answered by the backend"
