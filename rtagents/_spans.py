"""Spans whose SDK may break: what a vendor's span processor raises on a span's start or end
(OpenTelemetry's API lets it) costs that span, never the work it records.

The tracing layer's spans and the MCP layer's client span share it, so that the rule is in one
place: a span that cannot start is the invalid span (nothing recorded, nothing current), and a
span that cannot end is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import Span

log = logging.getLogger("rtagents.tracing")


def sdk_failed(where: str, exc: Exception) -> None:
    """What an SDK part raised (a vendor's span processor, say) costs its spans, never the
    session: the methods the session calls directly catch it here (the events' hooks are
    guarded by ``observers``)."""
    log.warning("tracing failed (%s): %s: %s", where, type(exc).__name__, exc)


def start_span(tracer: trace.Tracer, name: str, where: str, **options: Any) -> Span:
    """``tracer.start_span(name, **options)``, or the invalid span when the SDK raises."""
    try:
        return tracer.start_span(name, **options)
    except Exception as exc:
        sdk_failed(where, exc)
        return trace.INVALID_SPAN


@contextmanager
def current(
    span: Span, where: str, *, record_exception: bool = True, set_status_on_exception: bool = True
) -> Iterator[Span]:
    """``span`` current while the block runs, and ended after it, whatever ending raises.
    ``record_exception=False`` for a span whose work's errors may quote content."""
    try:
        with trace.use_span(
            span, record_exception=record_exception, set_status_on_exception=set_status_on_exception
        ):
            yield span
    finally:
        guarded(where, span.end)


def guarded(where: str, fn: Callable[..., object], *args: Any) -> None:
    """``fn(*args)``, an SDK call whose failure costs its span only."""
    try:
        fn(*args)
    except Exception as exc:
        sdk_failed(where, exc)
