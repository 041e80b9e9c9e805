"""A span processor that raises on one kind of span must cost that span only (docs/tracing.md,
last paragraph: "An SDK part that raises ... costs only its spans").

On GPT-Live, when the session ends with a backend response still open, ``LiveSpans.end``
ends the backend responses' spans in one loop (``_cut_off`` then ``for entry in
self._backend.values(): entry.span.end()``) and only then the delegations'. A processor
raising on the end of a ``responses_inference`` span stops that loop: the ``delegation``
span is never ended, so never exported."""

from __future__ import annotations

import anyio
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from rtagents.emulator import CallFunction, DropConnection, Emulator, ScriptedModel
from tests.session.live.harness import speak

pytestmark = pytest.mark.anyio


@rtagents.tool
async def weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


@pytest.mark.parametrize(
    "broken",
    [("end", "responses_inference")],
    indirect=True,
    ids=["responses_inference end"],
)
async def test_a_broken_backend_span_does_not_cost_its_delegation(
    broken: InMemorySpanExporter,
) -> None:
    agent = rtagents.Agent(name="live_broken", tools=[weather])
    model = ScriptedModel([CallFunction("weather", {"city": "Paris"}), "Sunny."])
    # the drop ends the session (reconnect=None) with its backend response under way
    faults = [DropConnection(after="response.created", loses_work=True)]
    async with Emulator(model=model, faults=faults) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live", reconnect=None) as session:
            await speak(session)
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "session.closed":
                        break
                else:
                    pytest.fail("the stream ended without session.closed")
    names = [s.name for s in broken.get_finished_spans()]
    assert "invoke_agent live_broken" in names, names
    assert "delegation" in names, names
