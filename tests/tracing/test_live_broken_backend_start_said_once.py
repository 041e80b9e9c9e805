"""A span processor that raises on the start of a GPT-Live backend response's span costs that
span: it is said once for the response, not once for each of its events (a response streams
hundreds), and the tool calls it makes stay in the session's trace."""

from __future__ import annotations

import logging

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from tests.session.live.harness import speak, spoken, until

pytestmark = pytest.mark.anyio


@rtagents.tool
async def weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


@pytest.mark.parametrize("broken", [("start", "responses_inference")], indirect=True)
async def test_a_backend_span_that_cannot_start_is_said_once(
    broken: InMemorySpanExporter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    agent = rtagents.Agent(name="live_b", tools=[weather])
    model = ScriptedModel([CallFunction("weather", {"city": "Paris"}), "Sunny in Paris. " * 20])
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live") as session:
            await speak(session)
            await until(session, lambda seen: spoken(seen).count("Sunny in Paris.") >= 20)
    said = [r.getMessage() for r in caplog.records if "broke on start" in r.getMessage()]
    assert 1 <= len(said) <= 2, said  # (two backend responses at most)
    finished = broken.get_finished_spans()
    [root] = [s for s in finished if s.name == "invoke_agent live_b"]
    [tool] = [s for s in finished if s.name == "execute_tool weather"]
    assert tool.context.trace_id == root.context.trace_id
