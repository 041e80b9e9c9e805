"""``session.usage`` on GPT-Live, against the emulator's Live endpoint over a loopback
socket: the session's billable seconds (``session.usage.updated``: a running total, kept,
never summed) and the backend's tokens (each ``response.completed`` inside
``response.event``, by its model), into the same record as on the Realtime API, and
priced by the same table."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Prices, Tokens
from rtagents.emulator import CallFunction, Emulator, ModelContext, Say, ScriptedModel

from .live.harness import speak, spoken

pytestmark = pytest.mark.anyio
PRICES = {
    "gpt-live-1": Prices(per_minute="0.10"),
    "gpt-5.5": Prices(text_input="1.25", cached_text_input="0.125", text_output="10"),
}


@rtagents.tool
async def weather(city: str) -> str:
    """The weather in a city."""
    return f"21 degrees in {city}"


def echo(ctx: ModelContext) -> str:
    return " | ".join(o["output"] for o in ctx.pending_outputs)


def reported(emu: Emulator) -> tuple[dict[str, dict[str, int]], float, int]:
    """The backend's usage as the emulator sent it, by model; the last running total of
    seconds; how many backend responses ended."""
    tokens: dict[str, dict[str, int]] = {}
    seconds, responses = 0.0, 0
    for frame in emu.last.sent:
        if frame["type"] == "response.event" and frame["event"]["type"] == "response.completed":
            responses += 1
            response = frame["event"]["response"]
            usage, mine = response["usage"], tokens.setdefault(response["model"], {})
            mine["in"] = mine.get("in", 0) + usage["input_tokens"]
            cached = usage["input_tokens_details"]["cached_tokens"]
            mine["cached"] = mine.get("cached", 0) + cached
            mine["out"] = mine.get("out", 0) + usage["output_tokens"]
        elif frame["type"] == "session.usage.updated":
            seconds = frame["usage"]["seconds"]
    return tokens, seconds, responses


async def test_live_seconds_and_backend_tokens_in_one_record() -> None:
    model = ScriptedModel([CallFunction("weather", {"city": "Oslo"}), echo])
    agent = rtagents.Agent(tools=[weather])
    seen: list[Any] = []
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live", prices=PRICES) as s:
            await speak(s)
            answered = False
            with anyio.fail_after(10):
                async for event in s:
                    seen.append(event)
                    answered = answered or "21 degrees in Oslo" in spoken(seen)
                    # The seconds are reported once the answer has been said.
                    if answered and event.type == "usage.updated" and event.source == "session":
                        break
                else:
                    pytest.fail("the session ended before the answer's usage")
            usage, cost = s.usage, s.cost
        tokens, seconds, responses = reported(emu)

    assert responses >= 2 and seconds >= 1  # the call's response and its answer's
    assert usage.models == {
        model_name: Tokens(text_input=t["in"], cached_text_input=t["cached"], text_output=t["out"])
        for model_name, t in tokens.items()
    }
    assert list(usage.models) == ["gpt-5.5"]  # the agent's backend model
    assert usage.seconds == {"gpt-live-1": seconds}  # the latest total, not a sum of them
    assert usage.responses == responses
    t = tokens["gpt-5.5"]
    by_hand = (
        Decimal("1.25") * (t["in"] - t["cached"])
        + Decimal("0.125") * t["cached"]
        + Decimal("10") * t["out"]
    ) / 1_000_000 + Decimal("0.10") * Decimal(str(seconds)) / 60
    assert cost == by_hand
    updates = [e for e in seen if e.type == "usage.updated"]
    assert {u.source for u in updates} == {"backend", "session"}
    assert sum((u.usage for u in updates), rtagents.UsageRecord()) == usage


async def test_a_decision_s_tokens_are_counted_under_its_model() -> None:
    route = {
        "type": "choice",
        "name": "route",
        "instructions": "Which team should handle this?",
        "choices": [{"value": "billing"}, {"value": "refunds"}],
    }
    live = rtagents.LiveOptions(
        delegation="decisions", decisions={"model": "gpt-5.4-mini", "questions": [route]}
    )
    agent = rtagents.Agent(instructions="Route the caller.", live=live)
    model = ScriptedModel([[Say("One moment."), CallFunction("route_call", {})]])
    seen: list[Any] = []
    async with Emulator(model=model, transcribe=lambda data, ms: "I want refunds") as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live") as session:
            await speak(session)
            with anyio.fail_after(10):
                async for event in session:
                    seen.append(event)
                    if event.type == "usage.updated" and event.source == "decision":
                        break
                else:
                    pytest.fail("the session ended before the decision's usage")
            usage = session.usage
    [decided] = [e for e in seen if e.type == "decision.event"]
    wire = decided.event.decision.usage
    assert usage.models["gpt-5.4-mini"] == Tokens(
        text_input=wire.input_tokens,
        cached_text_input=wire.input_tokens_details.cached_tokens,
        text_output=wire.output_tokens,
    )
    assert wire.input_tokens > 0
    assert usage.responses == 0  # a decision is not a response
