"""A background tool's ``execute_tool`` span lasts as long as its work: still open when the
call was answered "started", ended with the work's own result (or failure)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel

pytestmark = pytest.mark.anyio


async def test_the_span_ends_with_the_work(spans: InMemorySpanExporter) -> None:
    gate = anyio.Event()

    @rtagents.tool(background=True)
    async def book(table: int) -> str:
        """Book a table."""
        await gate.wait()
        return f"table {table} booked"

    def open_tool_spans() -> list[Any]:
        return [s for s in spans.get_finished_spans() if s.name == "execute_tool book"]

    model = ScriptedModel([CallFunction("book", {"table": 4}, call_id="call_b"), "Started."])
    agent = rtagents.Agent(name="host", tools=[book], output_modalities=["text"])
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, transport=emu.transport, trace_content=True) as s:
            await s.ask("Book table 4.")
            assert open_tool_spans() == []  # answered "started", the work still runs
            gate.set()
            with anyio.fail_after(10):
                async for event in s:
                    if event.type == "background.completed":
                        break
                else:
                    pytest.fail("the session ended before the work did")
    [span] = open_tool_spans()
    attributes = dict(span.attributes or {})
    assert attributes["gen_ai.tool.call.id"] == "call_b"
    assert attributes["rtagents.tool.background"] is True
    assert attributes["gen_ai.tool.call.result"] == "table 4 booked"
