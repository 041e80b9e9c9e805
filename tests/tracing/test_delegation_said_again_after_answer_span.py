"""docs/tracing.md: a delegation or a hosted call's item the server says again adds no second
span, whether its span is still open or has ended (after its answer, ``delegation.answered``,
or its item's done): a second one would be closed by nothing but the session's end."""

from __future__ import annotations

from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from rtagents.session.events import DelegationAnswered
from rtagents.tracing.observer import SessionTracer
from tests.tracing.conftest import spans  # noqa: F401  (the exporter fixture)
from tests.tracing.test_live_said_again_and_failure_content import counted
from tests.tracing.test_live_spans import _delegated, _inner


def test_delegation_said_again_after_its_answer_is_one_span(
    spans: InMemorySpanExporter,  # noqa: F811
) -> None:
    tracer = SessionTracer("a", "gpt-live", capture_content=False)
    started = counted(tracer)
    tracer.observe(_delegated("d1", "r1"))
    tracer.observe(DelegationAnswered(delegation_id="d1", kind="commentary"))
    tracer.observe(_delegated("d1", "r1"))  # said again (after a reattach, say)
    tracer.end("done", error=False)
    assert started["delegation"] == 1, started


def test_hosted_item_said_again_after_its_done_is_one_span(
    spans: InMemorySpanExporter,  # noqa: F811
) -> None:
    tracer = SessionTracer("a", "gpt-live", capture_content=False)
    started = counted(tracer)
    tracer.observe(_delegated("d1", "r1"))
    tracer.observe(_inner("d1", "response.created", response={"id": "r1", "model": "m"}))
    item = {"type": "mcp_call", "id": "mcp_1", "name": "lookup", "server_label": "crm"}
    tracer.observe(_inner("d1", "response.output_item.added", output_index=0, item=item))
    done = {**item, "output": "found", "arguments": "{}"}
    tracer.observe(_inner("d1", "response.output_item.done", output_index=0, item=done))
    tracer.observe(_inner("d1", "response.output_item.added", output_index=0, item=item))
    tracer.end("done", error=False)
    assert started["execute_tool lookup"] == 1, started
