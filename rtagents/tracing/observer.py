"""OpenTelemetry spans for a session, made from the events the session sees. Names and
attributes follow the OpenTelemetry GenAI semantic conventions, 1.37 (in development):
``invoke_agent {agent}``, ``realtime_inference {model}`` (the realtime draft),
``execute_tool {tool}``; on GPT-Live, ``delegation`` and ``responses_inference {model}`` (see
.live). Only ``opentelemetry-api`` is used: without an SDK every span is a no-op."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from opentelemetry import context, trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from .approvals import ApprovalSpans
from .config import server_tracing
from .hosted import HostedCalls
from .live import LiveSpans
from .responses import ResponseSpans
from .sdk import (
    DISCONNECTED,
    NO_TRACER,
    UNKNOWN_TOOL,
    clip,
    guarded,
    masked,
    sdk_failed,
    start_span,
    tracer,
)
from .usage import session_usage_attributes


class SessionTracer:
    """Keeps the spans of one session: the session, its responses, tool calls, approvals."""

    responses: Callable[[str | None], str | None] | None = None  # GPT-Live's (see LiveSpans)

    def __init__(self, agent_name: str, model: str, *, capture_content: bool) -> None:
        self.capture_content = capture_content
        self.model = model
        self._tracer = tracer()
        attributes = {"gen_ai.operation.name": "invoke_agent", "gen_ai.provider.name": "openai"}
        attributes |= {"gen_ai.agent.name": agent_name, "gen_ai.request.model": model}
        try:
            self.session = self._tracer.start_span(
                f"invoke_agent {agent_name}", kind=SpanKind.CLIENT, attributes=attributes
            )
        except Exception as exc:
            sdk_failed("the session's span", exc)
            self.session = trace.INVALID_SPAN  # records nothing: the session goes untraced
        self.recording = self.session.is_recording()
        # In a trace, if not recorded (a sampler's "no"): its calls' spans inherit the "no".
        self.in_trace = self.session.get_span_context().is_valid
        if not self.recording:  # no SDK: no-op spans, the children's too (one shared tracer)
            self._tracer = NO_TRACER
        self._response_spans: ResponseSpans | None = None  # once a response comes
        self._hosted_calls: HostedCalls | None = None  # hosted MCP calls, once one comes
        self._tools: dict[str, Span] = {}
        self._approvals: ApprovalSpans | None = None  # once a request comes
        self._reconnect: Span | None = None
        self._live_spans: LiveSpans | None = None  # GPT-Live's delegated work, once it comes
        self._usage: Any = None  # the session's usage so far (usage.updated), for its span
        self._cost: Any = None
        self._server: tuple[Any] | None = None  # the server side's ``tracing``, once made
        self._identified = False  # the session's span has the server session's id

    @property
    def _hosted(self) -> HostedCalls:
        if self._hosted_calls is None:
            self._hosted_calls = HostedCalls(self._tracer, self.capture_content)
        return self._hosted_calls

    @property
    def _responses(self) -> ResponseSpans:
        if self._response_spans is None:
            self._response_spans = ResponseSpans(self._tracer, self.model)
        return self._response_spans

    @property
    def _live(self) -> LiveSpans:
        if self._live_spans is None:
            self._live_spans = LiveSpans(self._tracer, self.session, self._hosted, self.responses)
        return self._live_spans

    def _child_of(self, parent: Span | None) -> context.Context:
        return trace.set_span_in_context(parent or self.session)

    # -- the session -------------------------------------------------------------------------

    def server_side(self, setting: Any, workflow_name: str) -> Any:
        """The server side's ``tracing`` (``server_tracing``), made once from the first agent's
        and given to each new Realtime session: a handoff never changes the session's trace."""
        if self._server is None:
            self._server = (server_tracing(setting, self.session, workflow_name),)
        return self._server[0]

    def end(self, reason: str, error: bool, usage: Any = None, cost: Any = None) -> None:
        """The spans end, each on its own (an SDK part's raise costs its span only)."""
        if usage:  # the session's final totals (GPT-Live's last word counted)
            self._usage, self._cost = usage, cost
        if self._reconnect is not None:  # never done: it failed, or the app closed meanwhile
            if error:
                self._reconnect.set_status(Status(StatusCode.ERROR, reason))
            guarded("the reconnect's end", self._reconnect.end)
        cut = DISCONNECTED if error else None  # a failed session's connection went too
        if self._approvals is not None:
            self._approvals.end()
        if self._response_spans is not None:
            self._response_spans.cut(cut, "an open response's end")
        if self._live_spans is not None:
            guarded("GPT-Live's spans' end", self._live_spans.end, error)
        if self._hosted_calls is not None:
            guarded("the hosted calls' end", self._hosted_calls.cut, None, cut)
        guarded("the session's end", self._end_session, reason, error)

    def _end_session(self, reason: str, error: bool) -> None:
        if error:
            self.session.set_status(Status(StatusCode.ERROR, reason))
            self.session.set_attribute("error.type", "session_closed")
        self.session.set_attribute("rtagents.session.close_reason", reason)
        if self._usage is not None:
            self.session.set_attributes(session_usage_attributes(self._usage, self._cost))
        self.session.end()

    # -- events ------------------------------------------------------------------------------

    def observe(self, event: Any) -> None:
        if not self.recording:
            return  # no SDK: stay out of the hot path
        handler = getattr(self, "_on_" + event.type.replace(".", "_"), None)
        if handler is not None:
            handler(event)

    def _identify(self, session_id: Any, key: str) -> None:
        """The server session's id, on the session's span: the first one's. A reconnect on
        Realtime makes another server session (its id goes on the ``reconnect`` span)."""
        if session_id and not self._identified:
            self._identified = True
            self.session.set_attribute("gen_ai.conversation.id", session_id)
            self.session.set_attribute(key, session_id)

    def _on_session_created(self, event: Any) -> None:
        self._identify((event.session.model_extra or {}).get("id"), "openai.realtime.session_id")

    def _on_usage_updated(self, event: Any) -> None:
        self._usage, self._cost = event.total, event.cost

    # GPT-Live's events (see .live)
    def _on_session_started(self, event: Any) -> None:
        self._identify(getattr(event.session, "id", None), "openai.live.session_id")
        self._live.started(event)

    def _on_session_updated(self, event: Any) -> None:
        if self.responses is not None:  # GPT-Live's: a call's sideband has no session.started
            self._identify(getattr(event.session, "id", None), "openai.live.session_id")
            self._live.started(event)  # (the Live model the server resolved, said each time)

    def _on_session_delegation_created(self, event: Any) -> None:
        self._live.delegated(event)

    def _on_response_event(self, event: Any) -> None:
        self._live.response_event(event)

    def _on_decision_event(self, event: Any) -> None:
        self._live.decided(event.delegation_id)

    def _on_delegation_answered(self, event: Any) -> None:
        self._live.decided(event.delegation_id)

    def _on_response_created(self, event: Any) -> None:
        if event.response.id is not None:
            self._responses.created(event.response.id, self._child_of(None))

    def _span_of(self, response_id: str | None) -> Span | None:
        spans = self._response_spans
        span = spans.span_of(response_id) if spans is not None else None
        if span is None and self._live_spans is not None:
            span = self._live_spans.span_of(response_id)
        return span

    def _on_response_output_audio_delta(self, event: Any) -> None:
        self._responses.first_output(event.response_id, "audio")

    def _on_response_output_text_delta(self, event: Any) -> None:
        self._responses.first_output(event.response_id, "text")

    _on_response_output_audio_transcript_delta = _on_response_output_text_delta

    def _on_session_reconnecting(self, event: Any) -> None:
        # On Realtime the next connection is a new server session: the dropped one's
        # responses and hosted calls end. GPT-Live's go on after the attach (see .live).
        if self._response_spans is not None:
            self._response_spans.cut(DISCONNECTED, "a dropped response's end")
        if self._live_spans is not None:
            self._live_spans.dropped()
        elif self._hosted_calls is not None:
            self._hosted_calls.cut(None, DISCONNECTED)
        if self._reconnect is None:
            self._reconnect = start_span(  # (one that cannot start: tried once)
                self._tracer,
                "reconnect",
                "the reconnect's span",
                context=self._child_of(None),
                attributes={"rtagents.reconnect.cause": event.cause},
            )
        self._reconnect.add_event(
            "attempt", {"rtagents.reconnect.attempt": event.attempt, "delay_s": event.delay_s}
        )

    def _on_session_reconnected(self, event: Any) -> None:
        if self._live_spans is not None:
            self._live_spans.reattached()
        span, self._reconnect = self._reconnect, None
        if span is None:
            return
        span.set_attribute("rtagents.reconnect.attempts", event.attempts)
        span.set_attribute("rtagents.reconnect.items_replayed", event.items_replayed)
        span.set_attribute("rtagents.reconnect.downtime_s", event.downtime_s)
        if event.session_id:  # (named as the session's own span names it)
            live = self.responses is not None
            key = "openai.live.session_id" if live else "openai.realtime.session_id"
            span.set_attribute(key, event.session_id)
        span.end()

    def _on_response_done(self, event: Any) -> None:
        response = event.response
        if self._hosted_calls is not None:
            # Its hosted calls end with it, as listed (their own done may never have come).
            for item in response.output or ():
                if getattr(item, "type", None) == "mcp_call" and item.id:
                    done, what = self._hosted_calls.done, "a hosted call's end"
                    # Each on its own: an SDK part's raise never costs the response's end.
                    guarded(what, done, item.id, item.error, item.output, item.arguments)
            self._hosted_calls.cut(response.id, None)
        if self._response_spans is not None:
            self._response_spans.done(response)

    def _on_response_output_item_added(self, event: Any) -> None:
        item = event.item
        if item.type == "mcp_call":
            parent = self._span_of(event.response_id) or self.session
            self._hosted.added(item.id, item.name, item.server_label, parent, event.response_id)

    def _on_response_output_item_done(self, event: Any) -> None:
        item = event.item
        if item.type == "mcp_call":
            self._hosted.done(item.id, item.error, item.output, item.arguments)

    def _on_approval_requested(self, event: Any) -> None:
        call_id = event.request.call_id
        parent = self._tools.get(call_id) if call_id else None
        if self._approvals is None:
            self._approvals = ApprovalSpans(self._tracer, self.capture_content)
        self._approvals.requested(event.request, self._child_of(parent))

    def _on_approval_decided(self, event: Any) -> None:
        if self._approvals is not None:
            self._approvals.decided(event)

    def _on_guardrail_tripped(self, event: Any) -> None:
        """A ``guardrail`` span (it has no length of its own: the trip is a moment) under
        the response it cancelled, or the session; and a span event on that response."""
        attributes: dict[str, Any] = {
            "rtagents.guardrail.name": event.guardrail,
            "rtagents.guardrail.kind": event.kind,
            "rtagents.guardrail.decided_by": event.decided_by,
            "rtagents.guardrail.acted": event.acted,
        }
        # Its reason is content (a guardrail's own words, an error's message: either may
        # quote what the user said), unless it timed out (the framework's fixed words).
        shown = self.capture_content or event.decided_by == "timeout"
        if shown:
            attributes["rtagents.guardrail.reason"] = clip(event.reason)
        if event.item_id:
            attributes["rtagents.guardrail.item_id"] = event.item_id
        if event.cancelled:
            attributes["rtagents.guardrail.cancelled_response"] = event.cancelled
        parent = self._span_of(event.cancelled)
        span = start_span(
            self._tracer,
            f"guardrail {event.guardrail}",
            "a guardrail's span",
            context=self._child_of(parent),
            attributes=attributes,
        )
        if event.decided_by != "guardrail":  # it failed or timed out: tripped, fail closed
            span.set_status(
                Status(StatusCode.ERROR, clip(event.reason) if shown else event.decided_by)
            )
            span.set_attribute("error.type", f"guardrail_{event.decided_by}")
        span.end()
        if parent is not None:
            parent.add_event("guardrail.tripped", attributes)

    # -- long tools: a call's progress update, a batch's filler (see session/fillers.py) ---------

    def _on_progress_spoken(self, event: Any) -> None:  # and dropped, with its reason
        attributes = {"gen_ai.tool.call.id": event.call_id}
        if reason := getattr(event, "reason", None):
            attributes["rtagents.progress.reason"] = reason
        if self.capture_content:
            attributes["rtagents.progress.text"] = clip(event.text)
        (self._tools.get(event.call_id) or self.session).add_event(event.type, attributes)

    _on_progress_dropped = _on_progress_spoken

    def _on_filler_requested(self, event: Any) -> None:
        attributes = {"rtagents.filler.call_ids": list(event.call_ids)}
        self.session.add_event("filler.requested", attributes)
        for call_id in event.call_ids:
            span = self._tools.get(call_id)
            if span is not None:
                span.add_event("filler.requested")

    # -- function and local MCP tool calls ---------------------------------------------------

    def start_tool(
        self,
        call_id: str,
        name: str,
        arguments: str,
        response_id: str | None,
        server_label: str | None,
        known: bool = True,
    ) -> Span | None:
        """The ``execute_tool`` span of a call (``known``: to a tool there is), or ``None`` when
        nothing records (a call then makes none). ``current`` makes it current in the call."""
        if not self.recording:
            return None
        parent = self._span_of(response_id)
        attributes: dict[str, Any] = {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": name,
            "gen_ai.tool.call.id": call_id,
            "gen_ai.tool.type": "function",
        }
        if server_label:
            attributes["rtagents.mcp.server_label"] = server_label
        if self.capture_content:
            attributes["gen_ai.tool.call.arguments"] = clip(arguments)
        try:
            span = self._tracer.start_span(
                f"execute_tool {name if known else UNKNOWN_TOOL}",
                context=self._child_of(parent),
                kind=SpanKind.INTERNAL,
                attributes=attributes,
            )
        except Exception as exc:
            sdk_failed(f"the span of call {call_id}", exc)
            return None
        self._tools[call_id] = span
        return span

    def current(self, span: Span | None) -> AbstractContextManager[Any]:
        """Makes a call's span current in its task (so MCP client calls made inside carry
        its trace context); without one, the session's, when it is in a trace."""
        if span is None:
            if not self.in_trace:
                return nullcontext()
            span = self.session
        return trace.use_span(
            span, end_on_exit=False, record_exception=False, set_status_on_exception=False
        )

    def tool_finished(self, call_id: str, span: Span | None, output: str, failure: Any) -> None:
        self._tools.pop(call_id, None)
        if span is None:
            return
        try:
            self._tool_ended(span, output, failure)
        except Exception as exc:
            sdk_failed(f"the end of call {call_id}'s span", exc)

    def _tool_ended(self, span: Span, output: str, failure: Any) -> None:
        if failure is None:
            if self.capture_content:
                span.set_attribute("gen_ai.tool.call.result", clip(output))
        else:
            error, content = failure.exception, self.capture_content
            error_type = type(error).__name__ if error else failure.kind
            span.set_attributes({"error.type": error_type, "rtagents.tool.failure": failure.kind})
            # The message and the traceback quote what the tool was given (a value its
            # arguments' validation refused, say): content, off unless the app opts in.
            said = clip(failure.message) if content else failure.kind
            span.set_status(Status(StatusCode.ERROR, said))
            if error is not None and content:
                span.record_exception(error, attributes=masked(error))
            elif error is not None:
                span.add_event("exception", {"exception.type": error_type})
        span.end()
