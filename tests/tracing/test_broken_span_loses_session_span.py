"""A span processor that raises (a vendor's, with a bug) on one kind of span must cost that
span only. ``SessionTracer._end`` ends the spans still open (the reconnect under way, the
approvals, the responses, GPT-Live's) and then the session's, all in one ``try``: the first
that raises skips the rest, and the session's own ``invoke_agent`` span is never ended (never
exported), nor are the other open spans."""

from __future__ import annotations

import anyio
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from rtagents import Reconnect
from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("broken", [("end", "reconnect")], indirect=True, ids=["reconnect end"])
async def test_the_session_span_ends_whatever_an_open_span_raises(
    broken: InMemorySpanExporter,
) -> None:
    agent = rtagents.Agent(name="steady", output_modalities=["text"])
    slow = Reconnect(backoff=30, max_backoff=30, jitter=0)  # closed while it waits
    async with Emulator(model=ScriptedModel([], then="ok")) as emu:
        async with rtagents.connect(agent, url=emu.url, reconnect=slow) as session:
            with anyio.fail_after(10):
                await session.ask("hello")
                emu.last.drop()
                async for event in session:
                    if event.type == "session.reconnecting":
                        break
                else:
                    pytest.fail("the session ended before it began to reconnect")
    names = [s.name for s in broken.get_finished_spans()]
    assert "invoke_agent steady" in names, names
