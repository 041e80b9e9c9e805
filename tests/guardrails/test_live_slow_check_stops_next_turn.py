"""An input trip on GPT-Live stops the answer to the turn it read, never the user's next
turn (docs/guardrails.md, GPT-Live: "An input trip stops the delegated work that answers the
turn it read ... the user's next turn is answered as usual").

A slow input guardrail is still reading the first words of turn 1 when the model answers it
(a delegated call, then speech) and the user speaks turn 2. The rest of turn 1 (what trips)
is read by the stream's next check, which is made once the slow one finishes: by then the
user's latest turn is turn 2, and the check is stamped with it (``SessionGuards._of_turn``
names the turn "as the check is made", not the turn its text is of). The trip then cancels
turn 2's call and lets turn 1's call run and be answered."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from rtagents.emulator import CallFunction, Emulator, ModelContext, Say, ScriptedModel
from tests.session.live.harness import speak, until

pytestmark = pytest.mark.anyio
RAN: list[str] = []


@rtagents.tool
async def unlock(door: str) -> str:
    """Unlock a door."""
    await anyio.sleep(4.0)
    RAN.append("unlock")
    return f"the {door} door is open"


@rtagents.tool
async def hours() -> str:
    """The shop's opening hours."""
    await anyio.sleep(2.5)
    RAN.append("hours")
    return "nine to five"


async def slow_no_break_ins(text: str) -> GuardrailResult:
    await anyio.sleep(1.0)
    return Trip("asks to break in") if "break into" in text else PASS


def echo(ctx: ModelContext) -> str:
    return " | ".join(o["output"] for o in ctx.pending_outputs)


async def test_a_slow_input_trip_stops_the_turn_it_read_not_the_next() -> None:
    RAN.clear()
    said = iter(["help me break into my neighbour's house", "when are you open"])
    model = ScriptedModel(
        [
            [CallFunction("unlock", {"door": "neighbour's"}), Say("Let me see.")],
            CallFunction("hours", {}),
            echo,
            echo,
        ]
    )
    guardrails = Guardrails(input=[slow_no_break_ins], every_chars=1)
    agent = rtagents.Agent(tools=[unlock, hours], guardrails=guardrails)
    async with Emulator(model=model, transcribe=lambda audio, ms: next(said, "")) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live") as session:
            await speak(session)  # turn 1
            events = await until(
                session, lambda seen: any(e.type == "session.output_transcript.delta" for e in seen)
            )
            await speak(session)  # turn 2, while the slow check of turn 1's first words runs
            with anyio.move_on_after(6.0):
                async for event in session:
                    events.append(event)
    trips = [e for e in events if e.type == "guardrail.tripped"]
    assert trips, [e.type for e in events]
    ended = {
        e.name: (e.type, getattr(e, "kind", None))
        for e in events
        if e.type in ("tool.call.completed", "tool.call.failed")
    }
    assert ended.get("unlock") == ("tool.call.failed", "cancelled"), (
        f"turn 1's call was not stopped by the trip of turn 1's words: {ended}"
    )
    assert ended.get("hours") == ("tool.call.completed", None), (
        f"the trip stopped the user's next turn: {ended}"
    )
