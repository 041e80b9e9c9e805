"""The OpenTelemetry SDK with an in-memory exporter, registered for the tests that ask for
``spans`` and unregistered after each.

Every other test runs as an app with no SDK does, through the API's no-op path. One provider
object serves the whole run: libraries that cache a tracer on first use (mcp does) keep a
working one, and the exporter is cleared between tests.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.util._once import Once

EXPORTER = InMemorySpanExporter()
PROVIDER = TracerProvider()
PROVIDER.add_span_processor(SimpleSpanProcessor(EXPORTER))


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
