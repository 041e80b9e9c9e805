"""A ``response.created`` delivered twice (a duplicated event, an odd shape the session
survives: see tests/session/test_duplicate_response_created_stalls.py) costs the response
nothing: one ``realtime_inference`` span per response, started once and ended once, at its
``response.done``, whether it came again while the span was open or after its end."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor, TracerProvider

import rtagents

from ..session.hostile import hostile_server
from .conftest import _unregister

pytestmark = pytest.mark.anyio
CREATED = {
    "type": "response.created",
    "response": {"id": "resp_1", "status": "in_progress", "output": []},
}
DONE = {"type": "response.done", "response": {"id": "resp_1", "status": "completed", "output": []}}


class Ledger(SpanProcessor):
    """Every span started and ended, by name."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.ended: list[str] = []

    def on_start(self, span: Span, parent_context: Any = None) -> None:
        self.started.append(span.name)

    def on_end(self, span: ReadableSpan) -> None:
        self.ended.append(span.name)


@pytest.fixture
def ledger() -> Iterator[Ledger]:
    kept = Ledger()
    provider = TracerProvider()
    provider.add_span_processor(kept)
    _unregister()
    trace.set_tracer_provider(provider)
    yield kept
    _unregister()


RESPONSE = "realtime_inference gpt-realtime"


@pytest.mark.parametrize("again", ["while open", "after its end"])
async def test_one_span_for_a_response_created_twice(ledger: Ledger, again: str) -> None:
    agent = rtagents.Agent(name="dup", output_modalities=["text"])
    async with hostile_server() as server:
        async with rtagents.connect(agent, url=server.url) as session:
            await server.send(CREATED)
            if again == "while open":
                await server.send(CREATED)  # the same event again
                await server.send(DONE)
            else:
                await server.send(DONE)
                await server.send(CREATED)  # the same event again, after its end
            seen = anyio.Event()
            session.on("rate_limits.updated")(lambda e: seen.set())
            await server.send({"type": "rate_limits.updated", "rate_limits": []})
            with anyio.fail_after(5):
                await seen.wait()  # what came before was read
            ended_at_done = ledger.ended.count(RESPONSE)
    started, ended = ledger.started.count(RESPONSE), ledger.ended.count(RESPONSE)
    assert ended_at_done == 1
    assert (started, ended) == (1, 1), f"{started} response spans started, {ended} ended"
