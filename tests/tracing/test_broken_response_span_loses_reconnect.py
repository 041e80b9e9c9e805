"""A span processor that raises on one kind of span must cost that span only (docs/tracing.md,
last paragraph: "An SDK part that raises ... costs only its spans").

On Realtime, ``SessionTracer._on_session_reconnecting`` ends the dropped connection's
responses in a loop and only then starts the ``reconnect`` span. A processor raising on the
end of a ``realtime_inference`` span stops it there: the ``reconnect`` span (its cause,
attempts, the new server session's id) is never made."""

from __future__ import annotations

import anyio
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from rtagents.emulator import DropConnection, Emulator, ScriptedModel

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    "broken", [("end", "realtime_inference")], indirect=True, ids=["realtime_inference end"]
)
async def test_a_broken_response_span_does_not_cost_the_reconnect_span(
    broken: InMemorySpanExporter,
) -> None:
    agent = rtagents.Agent(name="steady", output_modalities=["text"])
    fault = DropConnection(after="response.created", nth=1)  # a response under way at the drop
    async with Emulator(model=ScriptedModel(["Hello there."], then="ok"), faults=[fault]) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            await session.send_text("hi")
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "session.reconnected":
                        break
                else:
                    pytest.fail("the session ended before it reconnected")
    names = [s.name for s in broken.get_finished_spans()]
    assert "reconnect" in names, names
