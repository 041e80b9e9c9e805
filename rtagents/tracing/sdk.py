"""The OpenTelemetry API as the session's spans use it: the tracer of the provider installed
now, the default for capturing content and its bound, how a span cut by a drop is marked, and
what becomes of what an SDK part raises."""

from __future__ import annotations

import os
import traceback

from opentelemetry import trace
from opentelemetry.trace import Span, Status, StatusCode

# The tracing layer's, kept in base for the MCP layer's client span too (see ``_spans``).
from .._redact import redact
from .._spans import current as current
from .._spans import guarded as guarded
from .._spans import sdk_failed as sdk_failed
from .._spans import start_span as start_span

SCHEMA_URL = "https://opentelemetry.io/schemas/1.37.0"


def tracer() -> trace.Tracer:
    """The tracer of the provider installed now. Not cached at import: a proxy tracer binds
    to the first provider it sees, and an app may install its provider after importing us."""
    return trace.get_tracer("rtagents", schema_url=SCHEMA_URL)


NO_TRACER = trace.NoOpTracer()


CAPTURE_ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"


def capture_content_default() -> bool:
    return os.environ.get(CAPTURE_ENV, "").lower() in ("1", "true", "yes")


CONTENT_LIMIT = 8192
"""The most characters of a captured argument or result a span keeps. A tool may take or
return megabytes: every span processor would hold them until export, and exporters and
backends refuse or cut an attribute that large."""


def clip(text: str) -> str:
    """Captured content as a span keeps it: its first ``CONTENT_LIMIT`` characters, then how
    many more there were."""
    left_out = len(text) - CONTENT_LIMIT
    return text if left_out <= 0 else f"{text[:CONTENT_LIMIT]}… [{left_out} more characters]"


SEEN = 256
"""How many ids of the work a span was begun for are kept, to tell one said again (a server's
repeat) from new work: far more than are ever in flight."""


DISCONNECTED = ("disconnected", "the connection dropped")
"""The failure of a span whose work a dropped connection cut, its end never seen."""


def failed(span: Span, failure: tuple[str, str]) -> None:
    """Marks a span failed: ``failure`` is its ``error.type`` and its status's message (a
    server's or a tool's words, which may echo a credential: masked)."""
    span.set_status(Status(StatusCode.ERROR, clip(redact(failure[1]))))
    span.set_attribute("error.type", failure[0])


def masked(error: BaseException) -> dict[str, str]:
    """An exception's message and traceback as ``record_exception`` records them, with what
    may echo a credential masked (its own attributes, which the SDK takes over its own)."""
    try:
        told = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        message = str(error)
    except Exception:  # (its text made of a value whose own ``__str__`` raises)
        told = message = "<its message could not be shown>"
    return {
        "exception.message": clip(redact(message)),
        "exception.stacktrace": clip(redact(told)),
    }


def ended(span: Span, failure: tuple[str, str] | None) -> None:
    """Ends a span, failed first if ``failure`` says how."""
    if failure is not None:
        failed(span, failure)
    span.end()


UNKNOWN_TOOL = "(unknown)"
"""What a call to a name no tool has is named in a metric's ``tool`` label and its span's
name (no tool's name has parentheses): a name the model made up is no new series or group."""
