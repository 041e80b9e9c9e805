"""The session's ``tracing`` config, tied to the local trace."""

from __future__ import annotations

from typing import Any

from opentelemetry import trace

from .. import protocol as p

TRACE_ID_KEY = "otel_trace_id"
SPAN_ID_KEY = "otel_span_id"


def server_tracing(setting: Any, span: trace.Span, workflow_name: str) -> Any:
    """The ``tracing`` to send in the first ``session.update``.

    ``None`` turns server tracing off. ``"auto"`` or a ``TracingConfiguration`` turns it on;
    when a local trace is being recorded, its trace id goes in ``group_id`` (unless the
    config sets one) and in ``metadata``, so that each side finds the other.
    """
    if setting is None:
        return None
    ctx = span.get_span_context()
    if not ctx.is_valid:
        return setting  # no SDK configured: nothing local to tie to
    trace_id, span_id = format(ctx.trace_id, "032x"), format(ctx.span_id, "016x")
    if setting == "auto":
        config = p.TracingConfiguration(workflow_name=workflow_name)
    else:
        config = setting.model_copy(deep=True)
    if config.group_id is None:
        config.group_id = trace_id
    metadata = dict(config.metadata) if isinstance(config.metadata, dict) else {}
    metadata.update({TRACE_ID_KEY: trace_id, SPAN_ID_KEY: span_id})
    config.metadata = metadata
    return config
