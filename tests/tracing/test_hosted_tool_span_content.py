"""CHANGELOG (Security) / docs/tracing.md: "with content capture off, a failed tool call's
span kept its message as the error status ... Without the opt-in, the span says the kind of
failure". The fix covers function/local tools (``SessionTracer``), but a hosted MCP call's
``execute_tool`` span (tracing/hosted.py, both APIs) still puts the call's error message as
its status description with capture off: an MCP server's error text quotes the arguments it
refused just as a validation error does.

Right behaviour: with capture off, the hosted call's span status says only the error's type
(e.g. ``mcp_tool_error``), never its message."""

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from rtagents.tracing.hosted import HostedCalls

PIN = "pin-secret-4455"


def test_hosted_call_failure_message_stays_out_without_capture() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("t")
    parent = tracer.start_span("response")
    calls = HostedCalls(tracer, capture_content=False)
    calls.added("mcp_1", "unlock", "bank", parent, "resp_1")
    error = {"type": "mcp_tool_error", "message": f"invalid pin {PIN!r} for account a1"}
    calls.done("mcp_1", error, None, '{"pin": "' + PIN + '"}')
    [span] = [s for s in exporter.get_finished_spans() if s.name == "execute_tool unlock"]
    recorded = repr((dict(span.attributes or {}), span.status.description, span.events))
    assert PIN not in recorded, recorded
