"""The OpenTelemetry SDK with an in-memory exporter, registered for the tests that ask for
``spans`` and unregistered after each.

Every other test runs as an app with no SDK does, through the API's no-op path. One provider
object serves the whole run: libraries that cache a tracer on first use (mcp does) keep a
working one, and the exporter is cleared between tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.util._once import Once


class Broken(SpanProcessor):
    """A vendor's span processor with a bug, armed by the ``broken`` fixture: it raises on
    rtagents' spans whose name starts with ``prefix``, on their start or their end."""

    when: str | None = None
    prefix = ""

    def ours(self, span: ReadableSpan) -> bool:  # rtagents' spans, not its dependencies'
        scope = span.instrumentation_scope
        return scope is not None and scope.name == "rtagents" and span.name.startswith(self.prefix)

    def on_start(self, span: Span, parent_context: Any = None) -> None:
        if self.when == "start" and self.ours(span):
            raise RuntimeError("the processor broke on start")

    def on_end(self, span: ReadableSpan) -> None:
        if self.when == "end" and self.ours(span):
            raise RuntimeError("the processor broke on end")


EXPORTER = InMemorySpanExporter()
BROKEN = Broken()
PROVIDER = TracerProvider()
PROVIDER.add_span_processor(SimpleSpanProcessor(EXPORTER))
PROVIDER.add_span_processor(BROKEN)  # (after the exporter: a span that ends is exported)


def _unregister() -> None:
    # The API lets a provider be set once per process; tests set and unset it, as the
    # OpenTelemetry project's own test helpers do.
    trace._TRACER_PROVIDER_SET_ONCE = Once()
    trace._TRACER_PROVIDER = None


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    _unregister()
    trace.set_tracer_provider(PROVIDER)
    EXPORTER.clear()
    yield EXPORTER
    EXPORTER.clear()
    _unregister()


@pytest.fixture
def broken(request: pytest.FixtureRequest) -> Iterator[InMemorySpanExporter]:
    """``spans``, with ``Broken`` armed: ``request.param`` is (``"start"`` or ``"end"``, the
    prefix of the names of the spans it breaks on)."""
    BROKEN.when, BROKEN.prefix = request.param
    _unregister()
    trace.set_tracer_provider(PROVIDER)
    EXPORTER.clear()
    yield EXPORTER
    BROKEN.when = None
    EXPORTER.clear()
    _unregister()
