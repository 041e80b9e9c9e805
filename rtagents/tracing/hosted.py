"""The ``execute_tool`` spans of hosted MCP calls, which the server runs: an ``mcp_call`` item
of a Realtime response, or of a GPT-Live backend response (inside ``response.event``). One
place for both APIs: the observer and the Live spans read the item's fields (a model on
Realtime, a dict on GPT-Live) and hand them here.

A call's span is a child of its response's and ends with the call's item
(``output_item.done``), or, when the connection drops before that, with its response.
"""

from __future__ import annotations

from typing import Any

from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind

from .._latest import keep_latest
from .sdk import SEEN, clip, failed, guarded, start_span


class HostedCalls:
    """The hosted MCP calls under way in one session, by item id."""

    def __init__(self, tracer: trace.Tracer, capture_content: bool) -> None:
        self._tracer = tracer
        self.capture = capture_content  # (the session's opt-in: GPT-Live's spans read it)
        self._open: dict[str, tuple[Span, str | None]] = {}  # item id -> span, its response
        self._added: dict[str, None] = {}  # the latest items begun (said again: one span)

    def added(
        self, item_id: str, name: str, server_label: Any, parent: Span, response_id: str | None
    ) -> None:
        attributes = {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": name,
            "gen_ai.tool.call.id": item_id,
            "gen_ai.tool.type": "extension",
        }
        if isinstance(server_label, str):
            attributes["rtagents.mcp.server_label"] = server_label
        if item_id in self._added:  # its item said again, its span open or ended: one span
            return
        keep_latest(self._added, item_id, None, SEEN)
        span = start_span(
            self._tracer,
            f"execute_tool {name}",
            "a hosted call's span",
            context=trace.set_span_in_context(parent),
            kind=SpanKind.INTERNAL,
            attributes=attributes,
        )
        self._open[item_id] = (span, response_id)

    def done(self, item_id: str, error: Any, output: Any, arguments: Any) -> None:
        """The call's item is done: with its ``output``, or its ``error`` (Realtime's is an
        object with a ``type`` and a ``message``; the Responses API's may be a string)."""
        found = self._open.pop(item_id, None)
        if found is None:
            return
        span = found[0]
        if error:
            kind, message = _failure(error)
            # The server's message may quote the arguments: content, behind the opt-in.
            failed(span, (kind, message if self.capture else kind))
        elif self.capture and isinstance(output, str):
            span.set_attribute("gen_ai.tool.call.result", clip(output))
        if self.capture and isinstance(arguments, str):
            span.set_attribute("gen_ai.tool.call.arguments", clip(arguments))
        span.end()

    def cut(
        self, response_id: str | None, failure: tuple[str, str] | None, at: int | None = None
    ) -> None:
        """The calls of a response (of every response: ``None``) end with it, their item's
        end unseen: with its ``failure``, at ``at`` (where it was last seen) or now."""
        for item_id, (span, owner) in list(self._open.items()):
            if response_id is None or owner == response_id:
                del self._open[item_id]
                # Each on its own: an SDK part's raise costs that span only, never the
                # others, nor what ends after them (their response, a ``reconnect`` span).
                guarded("a hosted call's end", _ended_at, span, failure, at)


def _ended_at(span: Span, failure: tuple[str, str] | None, at: int | None) -> None:
    if failure is not None:
        failed(span, failure)
    span.end(end_time=at)


def _failure(error: Any) -> tuple[str, str]:
    """An ``mcp_call``'s error as (``error.type``, message)."""
    if isinstance(error, str):
        return "mcp_error", error
    if isinstance(error, dict):
        return str(error.get("type") or "mcp_error"), str(error.get("message") or error)
    return str(getattr(error, "type", None) or "mcp_error"), str(getattr(error, "message", error))
