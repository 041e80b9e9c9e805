"""On GPT-Live, a backend response under way when the connection drops, in a session that
then ends without attaching again, ends with an error status, ``error.type`` =
``disconnected`` (docs/tracing.md, "On GPT-Live": "If the session ends without attaching
again, the span ends at the same point with an error status"). A session with
``reconnect=None`` ends at the drop: it never attaches again."""

from __future__ import annotations

import asyncio

import anyio
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

import rtagents
from rtagents.emulator import CallFunction, DropConnection, Emulator, ModelContext, ScriptedModel
from tests.session.live.harness import speak

pytestmark = pytest.mark.anyio


@rtagents.tool
async def weather(city: str) -> str:
    """The weather in a city."""
    await asyncio.sleep(0.5)
    return f"sunny in {city}"


def echo(ctx: ModelContext) -> str:
    return " | ".join(o["output"] for o in ctx.pending_outputs)


async def test_a_backend_response_cut_by_a_drop_that_ends_the_session_is_failed(
    spans: InMemorySpanExporter,
) -> None:
    agent = rtagents.Agent(name="live_dropped", tools=[weather])
    model = ScriptedModel([CallFunction("weather", {"city": "Paris"}), echo])
    fault = DropConnection(after="response.event", nth=2)  # the backend response is under way
    async with Emulator(model=model, faults=[fault]) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live", reconnect=None) as session:
            await speak(session)
            created = False
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "response.event" and event.event["type"] == "response.created":
                        created = True
                    if event.type == "session.closed":
                        assert event.error  # the drop ended the session
                        break
                else:
                    pytest.fail("the stream ended without session.closed")
            assert created  # the backend response started before the drop
    finished = list(spans.get_finished_spans())
    [response] = [s for s in finished if s.name.startswith("responses_inference")]
    assert response.status.status_code is StatusCode.ERROR, (response.status, response.attributes)
    assert response.attributes.get("error.type") == "disconnected"
