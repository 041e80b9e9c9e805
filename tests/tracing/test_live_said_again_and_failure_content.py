"""GPT-Live's spans, fed the session's events directly: a delegation or a hosted call's item
the server says again is one span, ended once; and a backend response's failure message (the
server's words, which may quote what the work was given) is content, as a hosted call's is:
recorded with ``trace_content=True``, its code alone without."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from rtagents.tracing.observer import SessionTracer
from tests.tracing.test_live_spans import _delegated, _inner


class Counted:
    """A tracer that counts the spans started by name (one never ended is never exported)."""

    def __init__(self, tracer: Any) -> None:
        self.tracer, self.started = tracer, Counter[str]()

    def start_span(self, name: str, *args: Any, **kwargs: Any) -> Any:
        self.started[name] += 1
        return self.tracer.start_span(name, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.tracer, name)


def counted(tracer: SessionTracer) -> Counter[str]:
    counting = Counted(tracer._tracer)
    tracer._tracer = counting  # type: ignore[assignment]
    return counting.started


def test_a_delegation_said_again_is_one_span(spans: InMemorySpanExporter) -> None:
    tracer = SessionTracer("a", "gpt-live", capture_content=False)
    started = counted(tracer)
    tracer.observe(_delegated("d1", "r1"))
    tracer.observe(_delegated("d1", "r1"))  # (after a reattach, say)
    tracer.observe(_inner("d1", "response.created", response={"id": "r1", "model": "m"}))
    tracer.observe(_inner("d1", "response.completed", response={"id": "r1", "status": "completed"}))
    tracer.end("done", error=False)
    finished = [s.name for s in spans.get_finished_spans()]
    assert finished.count("delegation") == started["delegation"] == 1, (finished, started)


def test_a_hosted_item_said_again_is_one_span(spans: InMemorySpanExporter) -> None:
    tracer = SessionTracer("a", "gpt-live", capture_content=False)
    started = counted(tracer)
    tracer.observe(_delegated("d1", "r1"))
    tracer.observe(_inner("d1", "response.created", response={"id": "r1", "model": "m"}))
    item = {"type": "mcp_call", "id": "mcp_1", "name": "lookup", "server_label": "crm"}
    for _ in range(2):
        tracer.observe(_inner("d1", "response.output_item.added", output_index=0, item=item))
    done = {**item, "output": "found", "arguments": "{}"}
    tracer.observe(_inner("d1", "response.output_item.done", output_index=0, item=done))
    tracer.end("done", error=False)
    calls = [s for s in spans.get_finished_spans() if s.name == "execute_tool lookup"]
    assert len(calls) == started["execute_tool lookup"] == 1, started


@pytest.mark.parametrize("capture", [False, True])
def test_a_backend_failure_message_is_content(spans: InMemorySpanExporter, capture: bool) -> None:
    tracer = SessionTracer("a", "gpt-live", capture_content=capture)
    tracer.observe(_delegated("d1", "r1"))
    tracer.observe(_inner("d1", "response.created", response={"id": "r1", "model": "m"}))
    failed = {
        "id": "r1",
        "status": "failed",
        "error": {"code": "invalid_prompt", "message": "the card 4111 1111 1111 1111 is refused"},
    }
    tracer.observe(_inner("d1", "response.failed", response=failed))
    tracer.end("done", error=False)
    [backend] = [s for s in spans.get_finished_spans() if s.name == "responses_inference m"]
    said = backend.status.description or ""
    assert ("4111" in said) is capture, said
    assert backend.attributes["error.type"] == "invalid_prompt"
