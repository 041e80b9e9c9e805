"""A span processor that raises (a vendor's, with a bug) costs its spans, never the session:
the call is answered, the conversation goes on, and ``connect`` returns as it would have."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor, TracerProvider

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel

from .conftest import _unregister

pytestmark = pytest.mark.anyio


class Broken(SpanProcessor):
    def __init__(self, when: str, prefix: str) -> None:
        self.when, self.prefix = when, prefix

    def on_start(self, span: Span, parent_context: Any = None) -> None:
        if self.when == "start" and span.name.startswith(self.prefix):
            raise RuntimeError("the processor broke on start")

    def on_end(self, span: ReadableSpan) -> None:
        if self.when == "end" and span.name.startswith(self.prefix):
            raise RuntimeError("the processor broke on end")


@pytest.fixture
def broken(request: pytest.FixtureRequest) -> Iterator[None]:
    when, prefix = request.param
    provider = TracerProvider()
    provider.add_span_processor(Broken(when, prefix))
    _unregister()
    trace.set_tracer_provider(provider)
    yield
    _unregister()


@rtagents.tool
def add(a: int) -> int:
    """Add one."""
    return a + 1


@pytest.mark.parametrize(
    "broken",
    [
        ("start", "execute_tool"),
        ("end", "execute_tool"),
        ("end", "invoke_agent"),
        ("start", "invoke_agent"),
    ],
    indirect=True,
    ids=["tool start", "tool end", "session end", "session start"],
)
@pytest.mark.usefixtures("broken")
async def test_a_raising_span_processor_costs_the_session_nothing() -> None:
    agent = rtagents.Agent(name="b", tools=[add], output_modalities=["text"])
    async with Emulator(model=ScriptedModel([CallFunction("add", {"a": 1}), "It is 2."])) as emu:
        async with rtagents.connect(agent, transport=emu.transport()) as session:
            with anyio.fail_after(5):
                events = await session.ask("Add one to one.")
        received = emu.last.received
    outputs = [
        e["item"]["output"]
        for e in received
        if e["type"] == "conversation.item.create" and e["item"]["type"] == "function_call_output"
    ]
    assert outputs == ["2"]
    assert "tool.call.completed" in [e.type for e in events]
    assert session.closed_reason is not None and not session.closed_with_error
