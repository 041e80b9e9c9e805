"""Tracing: OpenTelemetry spans (opentelemetry-api only) tied to the server's own trace."""

from .config import SPAN_ID_KEY, TRACE_ID_KEY, server_tracing
from .observer import CAPTURE_ENV, SessionTracer, capture_content_default

__all__ = [
    "CAPTURE_ENV",
    "SPAN_ID_KEY",
    "TRACE_ID_KEY",
    "SessionTracer",
    "capture_content_default",
    "server_tracing",
]
