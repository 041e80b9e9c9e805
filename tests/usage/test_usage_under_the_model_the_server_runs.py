"""``session.usage`` counts a Realtime session's responses under ``connect``'s ``model``
(or the agent's), never under the model the server says it runs (``session.created``'s and
``session.updated``'s ``session.model``). When they differ, the usage is filed, and priced,
under a model that did not run: a confident wrong cost, where docs/usage.md promises "A
model is found by its exact name: ``gpt-realtime-mini`` is not priced as
``gpt-realtime``" and a cost that is never a guess.

They differ whenever the URL carries its own query: ``connect`` then adds no ``?model=``
(``endpoint``), and the server picks the model from the URL (a ``?model=`` written into the
URL; an Azure deployment, ``...?api-version=...&deployment=...``). Here the emulator runs
``gpt-realtime-mini`` (its ``session.updated`` says so), and the usage is filed under
``gpt-realtime``, priced at ``gpt-realtime``'s prices."""

from __future__ import annotations

from decimal import Decimal

import anyio
import pytest

import rtagents
from rtagents import Prices
from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio

PRICES = {
    name: Prices(text_input=rate, text_output=rate, audio_output=rate, audio_input=rate)
    for name, rate in (("gpt-realtime", "10"), ("gpt-realtime-mini", "1"))
}


async def test_usage_is_filed_under_the_model_the_server_runs() -> None:
    agent = rtagents.Agent(name="mini")  # model: "gpt-realtime" (the default)
    async with Emulator(model=ScriptedModel(["Hi there."])) as emu:
        url = f"{emu.url}?model=gpt-realtime-mini"
        async with rtagents.connect(agent, url=url, prices=PRICES) as session:
            await session.ask("Hello")
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "usage.updated":
                        break
                else:
                    pytest.fail("the session ended before its usage was reported")
            running = session.config.get("model")
            usage, cost = session.usage, session.cost

    assert running == "gpt-realtime-mini"  # what the server says it runs
    tokens = usage.tokens
    assert tokens
    mini = (tokens.input_tokens + tokens.output_tokens) * Decimal(1) / 1_000_000
    assert set(usage.models) == {running}, (
        f"usage filed under {sorted(usage.models)}, the server runs {running!r}: "
        f"cost {cost} (at gpt-realtime-mini's prices it is {mini})"
    )
    assert cost == mini


@rtagents.tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


async def test_live_seconds_are_filed_under_the_model_the_call_runs() -> None:
    """The same on GPT-Live: a call accepted on one Live model (the accept names it, the
    sideband's ``session.update`` cannot), attached with ``connect(..., call_id=)``, has
    its seconds filed under ``agent.live.model``, whatever ``session.updated`` says."""
    from openai import AsyncOpenAI

    from tests.emulator.live.test_calls import SECRET, accept_body, webhook_sink

    agent = rtagents.Agent(name="desk", instructions="Help callers.", tools=[get_weather])
    accepted = {**accept_body()["session"], "model": "gpt-live-1-mini"}
    async with (
        webhook_sink() as (hook, _),
        Emulator(model=ScriptedModel(["Hello there, how can I help you today?"])) as emu,
        AsyncOpenAI(api_key="sk-x", base_url=emu.http_url) as openai,
    ):
        sid = emu.place_call(hook, SECRET, api="live", say=["Hi, I need help with my order."])
        await openai.live.sessions.accept(sid, session=accepted)
        async with rtagents.connect(agent, api="live", url=emu.live_url, call_id=sid) as s:
            with anyio.fail_after(10):
                while not s.usage.seconds:
                    await anyio.sleep(0.05)
            running, usage = s.config.get("model"), s.usage
    assert running == "gpt-live-1-mini"
    assert set(usage.seconds) == {running}, (
        f"seconds filed under {sorted(usage.seconds)}, the session runs {running!r}"
    )


def test_a_dated_snapshot_of_the_model_asked_for_is_counted_under_its_name() -> None:
    # The server may report the snapshot an alias resolves to: the app priced the alias.
    from types import SimpleNamespace

    from rtagents.session.metering import UsageMeter

    meter = UsageMeter("gpt-realtime")
    for running, filed in [
        ("gpt-realtime-2025-08-28", "gpt-realtime"),
        ("gpt-realtime-mini", "gpt-realtime-mini"),
        ("gpt-realtime-mini-2025-10-06", "gpt-realtime-mini-2025-10-06"),
    ]:
        meter.model = "gpt-realtime"
        meter.see(SimpleNamespace(type="session.updated", session=SimpleNamespace(model=running)))
        assert meter.model == filed, running
