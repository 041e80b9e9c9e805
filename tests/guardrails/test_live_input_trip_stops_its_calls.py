"""An input guardrail that trips stops the answer to the user's message, tool calls
included, on GPT-Live as on the Realtime API (docs/guardrails.md, input guardrails: "its
tool calls still running are cancelled ... No ``response.create`` is sent for its calls'
outputs, so the model does not answer the request it was stopped on"; docs/live.md: the
same Agent, guardrails included, runs on either API).

On GPT-Live a trip only stops the player and tells the model (with thinking) that "the
user's last message was not answered": the delegated call made for that very message runs
to its end, its output goes to the backend with the batch's ``response.create``, and the
backend's answer to the stopped request is spoken."""

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


@pytest.mark.xfail(
    strict=True,
    reason=(
        "known defect, not fixed: GPT-Live turns have no items, and telling one user turn from the next (a turn's own key, a gap in the deltas) is needed before a trip can stop only its answer; the first attempt (reverted) blocked the next turn's calls"
    ),
)
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
    assert order.index("guardrail.tripped") < order.index("tool.call.completed"), order
    ended = [e for e in events if e.type in ("tool.call.completed", "tool.call.failed")]
    asked = [f for f in frames if f["type"] == "response.create"]
    assert DONE == [] or (ended and ended[0].type == "tool.call.failed"), [e.type for e in ended]
    assert asked == [], "the backend was asked to answer the request the guardrail stopped"
