"""tracing.md: "An SDK part that raises (a span processor with a bug, say) costs only its
spans"; an ``execute_tool`` span's parent is "the response that asked", and every span of a
session is in its one trace. A Realtime response whose span could not start has none: its
calls are the session's, as on GPT-Live. Before, ``ResponseSpans.span_of`` handed back the
invalid span kept for it, taken as the parent: the call's ``execute_tool`` span (a hosted
call's, a guardrail's) started a trace of its own, cut off from the session's."""

from __future__ import annotations

import anyio
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel

pytestmark = pytest.mark.anyio


@rtagents.tool
def add(a: int) -> int:
    """Add one."""
    return a + 1


@pytest.mark.parametrize(
    "broken", [("start", "realtime_inference")], indirect=True, ids=["response start"]
)
async def test_a_call_whose_response_span_could_not_start_stays_in_the_sessions_trace(
    broken: InMemorySpanExporter,
) -> None:
    agent = rtagents.Agent(name="b", tools=[add], output_modalities=["text"])
    async with Emulator(model=ScriptedModel([CallFunction("add", {"a": 1}), "It is 2."])) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            with anyio.fail_after(10):
                await session.ask("Add one to one.")
    finished = broken.get_finished_spans()
    [agent_span] = [s for s in finished if s.name == "invoke_agent b"]
    [tool] = [s for s in finished if s.name == "execute_tool add"]
    assert tool.context.trace_id == agent_span.context.trace_id, (
        f"execute_tool in trace {tool.context.trace_id:032x}, parent {tool.parent}; "
        f"the session's trace is {agent_span.context.trace_id:032x}"
    )
    assert tool.parent is not None and tool.parent.span_id == agent_span.context.span_id
