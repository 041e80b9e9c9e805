"""Tracing: OpenTelemetry spans (opentelemetry-api only) tied to the server's own trace."""

from .config import SPAN_ID_KEY, TRACE_ID_KEY
from .sdk import CAPTURE_ENV, CONTENT_LIMIT, capture_content_default

# SessionTracer and server_tracing are the session's internals: see .observer and .config.
__all__ = [
    "CAPTURE_ENV",
    "CONTENT_LIMIT",
    "SPAN_ID_KEY",
    "TRACE_ID_KEY",
    "capture_content_default",
]
