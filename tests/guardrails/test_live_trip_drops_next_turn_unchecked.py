"""Fail closed: every user turn on GPT-Live is read by the input guardrails (docs/guardrails.md,
GPT-Live: "both kinds are checked as streams ... after a trip the text is checked afresh").

A slow input guardrail reads turn 1 (its last check, made when the model speaks). The user
speaks turn 2 while it runs: turn 2's words go onto turn 1's stream (``GuardCore.heard``
keeps one ``live:user`` stream, ended but still being checked). The trip of turn 1 then
``rearm``s the stream, dropping turn 2's words unread: turn 2 asks for the same thing and is
never checked, its delegated call runs and is answered."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel
from tests.session.live.harness import speak, until

pytestmark = pytest.mark.anyio
READ: list[str] = []


@rtagents.tool
async def unlock(door: str) -> str:
    """Unlock a door."""
    await anyio.sleep(2.5)
    return f"the {door} door is open"


async def slow_no_break_ins(text: str) -> GuardrailResult:
    READ.append(text)
    await anyio.sleep(1.0)
    return Trip("asks to break in") if "break into" in text else PASS


def echo(ctx: ModelContext) -> str:
    return " | ".join(o["output"] for o in ctx.pending_outputs)


async def test_the_turn_heard_while_a_trip_is_decided_is_still_checked() -> None:
    READ.clear()
    said = iter(["please break into the house", "then break into the bank"])
    model = ScriptedModel(
        ["I cannot help with that.", CallFunction("unlock", {"door": "bank"}), echo]
    )
    agent = rtagents.Agent(tools=[unlock], guardrails=Guardrails(input=[slow_no_break_ins]))
    async with Emulator(model=model, transcribe=lambda audio, ms: next(said, "")) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live") as session:
            await speak(session)  # turn 1
            events = await until(
                session, lambda seen: any(e.type == "session.output_transcript.delta" for e in seen)
            )
            await speak(session)  # turn 2, while turn 1's check runs
            with anyio.move_on_after(5.0):
                async for event in session:
                    events.append(event)
    trips = [e for e in events if e.type == "guardrail.tripped"]
    ended = [
        (e.type, e.name)
        for e in events
        if e.type.startswith("tool.call.") and e.type != "tool.call.started"
    ]
    assert any("bank" in text for text in READ), f"turn 2 was never read: {READ}"
    assert len(trips) == 2, f"turn 2 did not trip: {len(trips)} trip(s), calls {ended}"
