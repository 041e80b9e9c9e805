"""The ``approval {tool}`` spans: one per approval request, from the request to its decision,
a child of the call it holds back (or of the session, for a hosted MCP request). What a
decision's reason says is content when a handler or an error gave it (an error's message
may quote the arguments), the app's, or a remembered one (a handler's, again): recorded only
with the opt-in (``trace_content``)."""

from __future__ import annotations

from typing import Any

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Span

from .sdk import clip, guarded, start_span

_REASONS_NOT_CONTENT = frozenset({"rule", "timeout", "close", "cancelled"})
"""Who decided an approval when its reason says nothing of the call: the policy's own."""


class ApprovalSpans:
    """The approval requests waiting in one session, by request id."""

    def __init__(self, tracer: trace.Tracer, capture_content: bool) -> None:
        self._tracer = tracer
        self._capture = capture_content
        self._open: dict[str, Span] = {}

    def requested(self, request: Any, context: Context | None) -> None:
        attributes = {
            "rtagents.approval.kind": request.kind,
            "rtagents.approval.request_id": request.id,
            "gen_ai.tool.name": request.tool_name,
        }
        if request.server_label:
            attributes["rtagents.mcp.server_label"] = request.server_label
        self._open[request.id] = start_span(
            self._tracer,
            f"approval {request.tool_name}",
            "an approval's span",
            context=context,
            attributes=attributes,
        )

    def decided(self, event: Any) -> None:
        span = self._open.pop(event.request.id, None)
        if span is None:
            return
        span.set_attribute("rtagents.approval.approved", event.approve)
        span.set_attribute("rtagents.approval.decided_by", event.decided_by)
        if event.reason and (self._capture or event.decided_by in _REASONS_NOT_CONTENT):
            span.set_attribute("rtagents.approval.reason", clip(event.reason))
        span.end()

    def end(self) -> None:
        """The session ended: the requests still waiting end with it."""
        for span in self._open.values():
            guarded("an open span's end", span.end)
        self._open.clear()
