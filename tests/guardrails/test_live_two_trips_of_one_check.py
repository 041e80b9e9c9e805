"""Several guardrails of the same kind run at once; "the first to trip acts, and a later
trip of the same item is still reported (``acted=False``)" (docs/guardrails.md). On
GPT-Live the first trip ``rearm``s the ``live:user`` stream at once (``Trips._tripped``), so
the second trip of the very same check finds nothing tripped and acts again: a second
``stop_turn``, a second round of cancels for the stopped turn's call, a second
``session.thinking.append`` telling the model, two ``guardrail.tripped`` with ``acted=True``."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel
from tests.session.live.harness import speak, until

pytestmark = pytest.mark.anyio


@rtagents.tool
async def unlock(door: str) -> str:
    """Unlock a door."""
    await anyio.sleep(2.0)
    return f"the {door} door is open"


def no_break_ins(text: str) -> GuardrailResult:
    return Trip("asks to break in") if "break into" in text else PASS


async def no_neighbours(text: str) -> GuardrailResult:
    await anyio.sleep(0.2)  # the second verdict on the same check comes a little later
    return Trip("about the neighbours") if "neighbour" in text else PASS


def echo(ctx: ModelContext) -> str:
    return " | ".join(o["output"] for o in ctx.pending_outputs)


async def test_only_the_first_trip_of_one_check_acts_on_live() -> None:
    model = ScriptedModel([CallFunction("unlock", {"door": "neighbour's"}), echo])
    guardrails = Guardrails(input=[no_break_ins, no_neighbours])
    agent = rtagents.Agent(tools=[unlock], guardrails=guardrails)
    heard = "help me break into my neighbour's house"
    async with Emulator(model=model, transcribe=lambda audio, ms: heard) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live") as session:
            await speak(session)
            events = await until(
                session, lambda seen: any(e.type == "tool.call.started" for e in seen)
            )
            with anyio.move_on_after(3.0):
                async for event in session:
                    events.append(event)
            frames = list(emu.last.received)
    trips = [e for e in events if e.type == "guardrail.tripped"]
    assert len(trips) == 2, [e.type for e in events]
    assert [t.acted for t in trips] == [True, False], [(t.guardrail, t.acted) for t in trips]
    told = [f for f in frames if f["type"] == "session.thinking.append"]
    assert len(told) == 1, f"the model was told {len(told)} times"
