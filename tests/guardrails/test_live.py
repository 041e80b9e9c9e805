"""GPT-Live has no response to cancel and no item to cut: an output guardrail that trips
stops the app's player, tells the model with ``session.thinking.append`` (the means Live
has), and reports the trip, with nothing cancelled."""

from __future__ import annotations

from typing import Any

import pytest
from openai.types.live import ClientEvent
from pydantic import TypeAdapter

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel

from ..session.live.harness import speak, until

pytestmark = pytest.mark.anyio
SDK = TypeAdapter[Any](ClientEvent)


@rtagents.tool
async def weather(city: str) -> str:
    """The weather in a city."""
    return f"41 degrees in {city}, a heat record"


def no_records(text: str) -> GuardrailResult:
    return Trip("talks of records") if "record" in text else PASS


def echo(ctx: ModelContext) -> str:
    return " | ".join(o["output"] for o in ctx.pending_outputs)


async def test_an_output_trip_on_live_is_reported_and_the_model_told() -> None:
    model = ScriptedModel([CallFunction("weather", {"city": "Oslo"}), echo])
    agent = rtagents.Agent(
        tools=[weather], guardrails=Guardrails(output=[no_records], every_chars=1)
    )
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live") as session:
            await speak(session)
            events = await until(
                session, lambda seen: any(e.type == "guardrail.tripped" for e in seen)
            )
            events += await until(
                session, lambda seen: any(e.type == "session.thinking.appended" for e in seen)
            )
            frames = list(emu.last.received)
    [trip] = [e for e in events if e.type == "guardrail.tripped"]
    assert (trip.kind, trip.item_id, trip.cancelled) == ("output", None, None)
    assert any(e.type == "audio.interrupted" for e in events)
    thoughts = [f for f in frames if f["type"] == "session.thinking.append"]
    assert [t["content"] for t in thoughts] == [
        "Your last answer was stopped by a guardrail (no_records): talks of records"
    ]
    assert not [f for f in frames if f["type"] in ("response.cancel", "conversation.item.truncate")]
    for frame in frames:
        SDK.validate_python(frame)


def no_locks(text: str) -> GuardrailResult:
    return Trip("asks how to break in") if "lock" in text else PASS


async def test_an_input_trip_on_live_checks_the_user_transcript_and_tells_the_model() -> None:
    model = ScriptedModel([CallFunction("weather", {"city": "Oslo"}), echo])
    agent = rtagents.Agent(tools=[weather], guardrails=Guardrails(input=[no_locks]))
    async with Emulator(model=model, transcribe=lambda audio, ms: "how do I pick a lock") as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live") as session:
            await speak(session)
            events = await until(
                session, lambda seen: any(e.type == "guardrail.tripped" for e in seen)
            )
            events += await until(
                session, lambda seen: any(e.type == "session.thinking.appended" for e in seen)
            )
            frames = list(emu.last.received)
    [trip] = [e for e in events if e.type == "guardrail.tripped"]
    assert (trip.kind, trip.guardrail, trip.cancelled) == ("input", "no_locks", None)
    thoughts = [f["content"] for f in frames if f["type"] == "session.thinking.append"]
    assert thoughts == [
        "The user's last message was not answered; a guardrail (no_locks) stopped it: "
        "asks how to break in"
    ]


def no_refunds(text: str) -> GuardrailResult:
    return Trip("promised a refund") if "refund" in text else PASS


async def test_the_tail_of_a_burst_is_checked_with_no_later_delta_to_trigger_it() -> None:
    # The answer comes in a burst: a check runs on its first words, and the rest (what it
    # promises) came while it ran. No later delta, and no user turn, ends the stream: the
    # rest is checked ``every_ms`` after the last check all the same, and trips.
    answer = "The weather in Oslo is mild and pleasant today. I promise you a full refund."
    agent = rtagents.Agent(guardrails=Guardrails(output=[no_refunds], every_ms=200))
    async with Emulator(model=ScriptedModel([answer])) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live") as session:
            await speak(session)
            events = await until(
                session, lambda seen: any(e.type == "guardrail.tripped" for e in seen)
            )
    [trip] = [e for e in events if e.type == "guardrail.tripped"]
    assert trip.reason == "promised a refund"
