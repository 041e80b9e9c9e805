"""The span of a call a ``CallServer`` answers, and the session config a call is created
with: both ends of a call's session (the accept or client secret that creates it, and the
sideband that runs its tools) must agree on ``tracing``, which the server fixes once set."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from opentelemetry import context, trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from .._redact import redact
from ..usage import UsageRecord
from .config import server_tracing
from .sdk import current, start_span, tracer
from .usage import session_usage_attributes

if TYPE_CHECKING:
    from ..agent import Agent


@contextlib.contextmanager
def call_span(call_id: str, source: str) -> Iterator[Span]:
    """The span of one call, current while it runs: its session's span is a child, so the
    trace the server's tracing is grouped under (``created_session``) is the session's too."""
    span = start_span(
        tracer(),
        "realtime_call",
        f"the span of call {call_id}",
        kind=SpanKind.SERVER,
        attributes={"openai.realtime.call_id": call_id, "rtagents.call.source": source},
    )
    if not span.is_recording() and not span.get_span_context().is_valid:
        # No SDK and no trace to carry on: there is nothing to make current, and the three
        # context managers and the context that would, held for the whole call, are some
        # 15 objects each call keeps for the collector to scan.
        yield span
        return
    with current(span, f"the end of call {call_id}'s span"):
        yield span


_W3C = TraceContextTextMapPropagator()


def listed_trace() -> dict[str, str]:
    """The current trace (the call's), for the call's listing: a replica that adopts the
    call carries that trace on (``adopted_trace``), the one its server-side tracing names."""
    carrier: dict[str, str] = {}
    _W3C.inject(carrier)
    return {"trace": carrier["traceparent"]} if "traceparent" in carrier else {}


@contextlib.contextmanager
def minting_span() -> Iterator[dict[str, str]]:
    """The span of a client secret minted for a browser's call, current while it is minted:
    the session it is minted with is tied to its trace (``created_session``), which the
    call's span carries on when the page attaches (``adopted_trace`` with the ``trace`` of
    what this yields: the call's listing, as ``listed_trace`` makes it; empty, untraced)."""
    span = start_span(tracer(), "client_secret", "a client secret's span", kind=SpanKind.CLIENT)
    listing: dict[str, str] = {}
    with current(span, "the end of a client secret's span"):
        listing.update(listed_trace())
        yield listing


@contextlib.contextmanager
def adopted_trace(traceparent: Any) -> Iterator[None]:
    """The trace a call's listing names (``listed_trace``) made current, for the span of the
    call adopted under it: a child of the span its first replica made, in the same trace."""
    if not isinstance(traceparent, str):
        yield
        return
    token = context.attach(_W3C.extract({"traceparent": traceparent}))
    try:
        yield
    finally:
        context.detach(token)


def call_ended(
    span: Span,
    state: str,
    reason: str | None,
    usage: UsageRecord | None = None,
    cost: Decimal | None = None,
) -> None:
    span.set_attribute("rtagents.call.state", state)
    if usage:  # what the call's session used, as on the session's span
        span.set_attributes(session_usage_attributes(usage, cost))
    if state == "failed":  # (why may quote what failed: an app's router, a library's URL)
        span.set_status(Status(StatusCode.ERROR, redact(reason) if reason else "failed"))


def created_session(agent: Agent) -> dict[str, Any]:
    """The ``session`` a call is created with (accepted, or a client secret minted), as
    JSON. Its ``tracing`` is the one the call keeps: it is tied here to the current trace,
    and the call's sideband never sends ``tracing`` again (the server would refuse a
    different one, and end the call's tools)."""
    tracing = server_tracing(agent.tracing, trace.get_current_span(), agent.name)
    config = agent.session_config(tracing=tracing)
    created = config.model_dump(mode="json", exclude_unset=True)
    created.setdefault("model", agent.model)  # (the call's, as its usage is counted)
    return created
