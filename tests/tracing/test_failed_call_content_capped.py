"""docs/tracing.md: with ``trace_content``, a span keeps the first 8,192 characters of the
content it records (``rtagents.tracing.CONTENT_LIMIT``), because "exporters and backends
refuse or cut larger attributes", and a failed call's message and exception are content too.
Its failure message (the span's status) and its exception's message and traceback are cut
as its arguments are (they were recorded whole)."""

from __future__ import annotations

import anyio
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.tracing import CONTENT_LIMIT

pytestmark = pytest.mark.anyio
BIG = "x" * 100_000


@rtagents.tool
def upload(blob: str) -> str:
    """Uploads a blob."""
    raise ValueError(f"could not upload {blob}")  # quotes what it was given


async def test_a_failed_calls_content_is_capped(spans: InMemorySpanExporter) -> None:
    agent = rtagents.Agent(name="up", tools=[upload], output_modalities=["text"])
    script = ScriptedModel([CallFunction("upload", {"blob": BIG}), "Sorry."])
    async with Emulator(model=script) as emu:
        async with rtagents.connect(agent, url=emu.url, trace_content=True) as session:
            with anyio.fail_after(10):
                await session.ask("Upload it.")
    [span] = [s for s in spans.get_finished_spans() if s.name == "execute_tool upload"]
    assert len(span.attributes["gen_ai.tool.call.arguments"]) < CONTENT_LIMIT + 100  # cut
    sizes = {"status": len(span.status.description or "")}
    for event in span.events:
        for key, value in (event.attributes or {}).items():
            sizes[f"{event.name}.{key}"] = len(str(value))
    too_big = {k: v for k, v in sizes.items() if v > CONTENT_LIMIT + 100}
    assert not too_big, too_big
