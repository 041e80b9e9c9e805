"""A session the sampler drops (a ratio sampler's draw, say) must not scatter root spans of
its own: the spans made inside its tool calls (a local MCP ``tools/call``, the app's own spans
in its tools) belong under the session's trace, where the sampler's "no" covers them too.

``SessionTracer.start_tool`` makes no ``execute_tool`` span when the session's span does not
record, and ``current(None)`` then makes nothing current in the call's task: the code inside
runs with no parent at all, so each of its spans starts a new trace, sampled on its own.
With a parent-based ratio sampler, every such call has its own chance to be recorded as an
orphan trace that no session owns."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import anyio
import pytest
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import (
    ALWAYS_ON,
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
)
from opentelemetry.util._once import Once

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel

pytestmark = pytest.mark.anyio


class UnluckyDraw(Sampler):
    """A ratio sampler's draws, made deterministic: the session's trace is not sampled, any
    other new trace is (with ``TraceIdRatioBased(0.1)`` each new trace has its 10 %)."""

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: Any = None,
        attributes: Any = None,
        links: Sequence[Any] | None = None,
        trace_state: Any = None,
    ) -> SamplingResult:
        if name.startswith("invoke_agent"):
            return SamplingResult(Decision.DROP)
        return ALWAYS_ON.should_sample(parent_context, trace_id, name, kind, attributes, links)

    def get_description(self) -> str:
        return "UnluckyDraw"


def _unregister() -> None:
    trace._TRACER_PROVIDER_SET_ONCE = Once()
    trace._TRACER_PROVIDER = None


@pytest.fixture
def sampled_out() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider(sampler=ParentBased(root=UnluckyDraw()))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    _unregister()
    trace.set_tracer_provider(provider)
    yield exporter
    _unregister()


app_tracer_name = "the-app"


@rtagents.tool
async def lookup(key: str) -> str:
    """Look a key up."""
    with trace.get_tracer(app_tracer_name).start_as_current_span("app lookup"):
        return f"value of {key}"


async def test_spans_inside_a_dropped_sessions_tool_call_are_not_orphan_roots(
    sampled_out: InMemorySpanExporter,
) -> None:
    agent = rtagents.Agent(name="unsampled", tools=[lookup], output_modalities=["text"])
    model = ScriptedModel([CallFunction("lookup", {"key": "k"})], then="ok")
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            await session.send_text("look it up")
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "tool.call.completed":
                        break
                else:
                    pytest.fail("the session ended before the call completed")
    orphans = [s.name for s in sampled_out.get_finished_spans()]
    # The session's trace was not sampled: nothing of it, the tool's own spans included,
    # should be recorded as a trace of its own.
    assert orphans == [], orphans


async def test_a_dropped_sessions_mcp_call_span_is_not_an_orphan_root(
    sampled_out: InMemorySpanExporter,
) -> None:
    from rtagents.mcp import MCPServerHTTP

    from ..mcp.servers import http_notes_server

    async with http_notes_server() as url:
        notes = MCPServerHTTP(url, name="notes", needs_approval=False)
        agent = rtagents.Agent(name="unsampled", tools=[notes], output_modalities=["text"])
        model = ScriptedModel([CallFunction("lookup", {"key": "greeting"})], then="ok")
        async with Emulator(model=model) as emu:
            async with rtagents.connect(agent, url=emu.url) as session:
                await session.send_text("look it up")
                with anyio.fail_after(15):
                    async for event in session:
                        if event.type in ("tool.call.completed", "tool.call.failed"):
                            break
                    else:
                        pytest.fail("the session ended before the call ended")
    ours = [
        s.name
        for s in sampled_out.get_finished_spans()
        if s.instrumentation_scope is not None and s.instrumentation_scope.name == "rtagents"
    ]
    assert ours == [], ours  # observed: ['tools/call lookup'], the root of a trace of its own
