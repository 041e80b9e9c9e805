"""The OpenTelemetry API as the session's spans use it: the tracer of the provider installed
now, the default for capturing content, and what becomes of what an SDK part raises."""

from __future__ import annotations

import logging
import os

from opentelemetry import trace

SCHEMA_URL = "https://opentelemetry.io/schemas/1.37.0"


def tracer() -> trace.Tracer:
    """The tracer of the provider installed now. Not cached at import: a proxy tracer binds
    to the first provider it sees, and an app may install its provider after importing us."""
    return trace.get_tracer("rtagents", schema_url=SCHEMA_URL)


NO_TRACER = trace.NoOpTracer()
log = logging.getLogger("rtagents.tracing")


def sdk_failed(where: str, exc: Exception) -> None:
    """What an SDK part raised (a vendor's span processor, say) costs its spans, never the
    session: the methods the session calls directly catch it here (the events' hooks are
    guarded by ``observers``)."""
    log.warning("tracing failed (%s): %s: %s", where, type(exc).__name__, exc)


CAPTURE_ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"


def capture_content_default() -> bool:
    return os.environ.get(CAPTURE_ENV, "").lower() in ("1", "true", "yes")
