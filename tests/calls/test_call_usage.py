"""A call's usage and cost in its record (``app.calls``): a simulated SIP call through a
CallServer given a price table, its sideband's usage summed as the emulator reported it,
and the cost worked by hand; the call's span carries the same totals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Prices, Tokens
from rtagents.calls import CallServer, end_call
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.testing import serve_asgi

from .harness import SECRET, answer, wait_for

pytestmark = pytest.mark.anyio
PRICES = Prices(text_input=4, audio_input=32, text_output=16, audio_output=64)


@rtagents.tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


def sideband_usage(emu: Emulator) -> tuple[Tokens, int]:
    """Every ``response.done`` the emulator's connections sent, summed by hand."""
    total: dict[str, int] = {}
    responses = 0
    for connection in emu.connections:
        for frame in connection.sent:
            if frame["type"] != "response.done":
                continue
            responses += 1
            usage: dict[str, Any] = frame["response"]["usage"]
            for side, details in (
                ("input", "input_token_details"),
                ("output", "output_token_details"),
            ):
                for modality in ("text", "audio"):
                    key = f"{modality}_{side}"
                    total[key] = total.get(key, 0) + usage[details][f"{modality}_tokens"]
    return Tokens(**total), responses


async def test_a_calls_record_has_its_usage_and_cost() -> None:
    model = ScriptedModel(
        [CallFunction("get_weather", {"city": "Paris"}), answer, CallFunction("end_call"), "Bye."]
    )
    agent = rtagents.Agent(name="concierge", tools=[get_weather, end_call])
    async with Emulator(model=model) as emu:
        app = CallServer(
            agent=agent,
            webhook_secret=SECRET,
            api_key="sk-x",
            base_url=emu.http_url,
            prices=PRICES,  # one Prices: the agent's model's
        )
        async with serve_asgi(app) as url:
            call_id = emu.place_call(
                f"{url}/openai/webhook",
                SECRET,
                say=["What's the weather in Paris?", "Thanks, bye."],
            )
            await wait_for(emu, call_id, "ended")
            with anyio.fail_after(10):
                while app.calls[call_id].state not in ("ended", "failed"):
                    await anyio.sleep(0.02)
            record = app.calls[call_id]
        tokens, responses = sideband_usage(emu)

    assert record.state == "ended" and responses >= 3
    assert record.usage.models == {"gpt-realtime": tokens}
    assert record.usage.responses == responses
    assert tokens.audio_output > 0 and tokens.text_input > 0
    by_hand = (
        Decimal(4) * tokens.text_input
        + Decimal(32) * tokens.audio_input
        + Decimal(16) * tokens.text_output
        + Decimal(64) * tokens.audio_output
    ) / 1_000_000
    assert record.cost == by_hand
    assert record.session.usage == record.usage  # the session's, kept when it ended


def test_a_routed_server_needs_prices_by_model() -> None:
    with pytest.raises(ValueError, match="with route=, give prices by model name"):
        CallServer(route=lambda call: rtagents.Agent(), webhook_secret=SECRET, prices=PRICES)
