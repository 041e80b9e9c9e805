"""A call's span: current for the whole call when there is a trace to carry, and nothing
held for the call's life when there is none (no SDK, no trace the app propagated), since a
process holding thousands of calls pays for every object each keeps at each full
collection (issue #36)."""

from __future__ import annotations

import pytest
from opentelemetry import context, trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from rtagents.tracing.calls import call_span


def test_an_untraced_call_makes_nothing_current() -> None:
    outside = context.get_current()
    with call_span("rtc_1", "sip") as span:
        assert not span.is_recording()
        assert context.get_current() is outside
    assert context.get_current() is outside


def test_a_trace_the_app_propagated_is_carried_without_an_sdk() -> None:
    parent = SpanContext(
        trace_id=0x1234, span_id=0x42, is_remote=True, trace_flags=TraceFlags(TraceFlags.SAMPLED)
    )
    token = context.attach(trace.set_span_in_context(NonRecordingSpan(parent)))
    try:
        with call_span("rtc_1", "sip") as span:
            current = trace.get_current_span()
            assert current is span
            assert current.get_span_context().trace_id == 0x1234
    finally:
        context.detach(token)


def test_a_traced_call_span_is_current_while_the_call_runs(
    spans: InMemorySpanExporter,
) -> None:
    with pytest.raises(RuntimeError), call_span("rtc_1", "sip") as span:
        assert span.is_recording()
        assert trace.get_current_span() is span
        raise RuntimeError("the call broke")
    [finished] = spans.get_finished_spans()
    assert finished.name == "realtime_call"
    assert finished.attributes is not None
    assert finished.attributes["openai.realtime.call_id"] == "rtc_1"
    assert finished.status.status_code is trace.StatusCode.ERROR
    assert trace.get_current_span() is not span
