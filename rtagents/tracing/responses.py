"""The Realtime API's response spans (``realtime_inference {model}``): one for each response
the session sees, from its ``response.created`` to its ``response.done``, with its status,
usage and the time to its first audio and text."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from opentelemetry import context
from opentelemetry.trace import Span, SpanKind, Status, StatusCode, Tracer

from .._latest import keep_latest
from ..usage import Tokens
from .sdk import SEEN, ended, guarded, start_span
from .usage import usage_attributes


@dataclass
class _Response:
    span: Span
    started: float
    firsts: set[str] = field(default_factory=set)


class ResponseSpans:
    """The spans of one session's responses, open until each is done."""

    def __init__(self, tracer: Tracer, model: str) -> None:
        self._tracer, self._model = tracer, model
        self._open: dict[str, _Response] = {}
        # The one done last: a call its ``response.done`` alone lists starts after that end
        # (its span is still the call's parent).
        self._last: tuple[str, Span] | None = None
        self._begun: dict[str, None] = {}  # the latest responses begun (by id)

    def created(self, response_id: str, parent: context.Context) -> None:
        """A response's span begins; once for a response, whose ``response.created`` a
        server may say again (its span open, or ended, others since: never a second one)."""
        if response_id in self._begun:
            return
        keep_latest(self._begun, response_id, None, SEEN)
        span = start_span(
            self._tracer,
            f"realtime_inference {self._model}",
            "a response's span",
            context=parent,
            kind=SpanKind.CLIENT,
            attributes={
                "gen_ai.operation.name": "realtime_inference",
                "gen_ai.provider.name": "openai",
                "gen_ai.request.model": self._model,
                "gen_ai.response.id": response_id,
            },
        )
        self._open[response_id] = _Response(span, time.monotonic())

    def first_output(self, response_id: str | None, what: str) -> None:
        entry = self._open.get(response_id or "")
        if entry is not None and what not in entry.firsts:
            entry.firsts.add(what)
            entry.span.set_attribute(
                f"rtagents.response.time_to_first_{what}_ms",
                (time.monotonic() - entry.started) * 1000,
            )

    def span_of(self, response_id: str | None) -> Span | None:
        """The span of ``response_id``: open, or the one done last. One whose span could not
        start has none: its calls are the session's (as on GPT-Live)."""
        if (entry := self._open.get(response_id or "")) is not None:
            span: Span | None = entry.span
        else:
            last = self._last
            span = last[1] if last is not None and last[0] == response_id else None
        return span if span is not None and span.get_span_context().is_valid else None

    def done(self, response: Any) -> None:
        entry = self._open.pop(response.id or "", None)
        if entry is None:
            return
        span = entry.span
        self._last = (response.id, span)
        span.set_attribute("gen_ai.response.status", response.status or "unknown")
        details = response.status_details
        if details is not None and details.reason:
            span.set_attribute("gen_ai.response.finish_reasons", [details.reason])
        if response.usage is not None:
            span.set_attributes(usage_attributes(Tokens.from_realtime(response.usage)))
        if response.status == "failed":
            code = details.error.code if details and details.error else None
            span.set_status(Status(StatusCode.ERROR, code or "failed"))
            span.set_attribute("error.type", code or "response_failed")
        span.end()

    def cut(self, failure: tuple[str, str] | None, what: str) -> None:
        """Every open response ends (``failure``: how, if the connection went with them),
        each on its own (an SDK part's raise costs its span only)."""
        for entry in self._open.values():
            guarded(what, ended, entry.span, failure)
        self._open.clear()
