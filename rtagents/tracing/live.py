"""The spans of GPT-Live's delegated work: a ``delegation`` span per delegation (a child of
the session's span) and a ``responses_inference {model}`` span per response of the
Responses backend (a child of its delegation's span, so that the ``execute_tool`` spans of
its function calls, children of their response's span, share the session's trace; so do
its hosted MCP calls', see .hosted).

A backend response is told by the Responses events inside ``response.event`` (their dicts,
read as they come: the session decodes them too), tied to its delegation by the outer
``delegation_id``; which response that is, the session says (``responses``: its rule, with
the name it gives a response begun without its ``response.created`` or created with no id).
A delegation's span ends when its last response ends: one that called no function nor
stopped on a hosted approval request (such a one is continued by the response the outputs,
or the answer, ask for), or one that failed. A client delegation's span ends when the app's answer is on the timeline (the next
``session.commentary.appended`` or ``session.thinking.appended``); every span still open ends
with the session.

A drop does not end GPT-Live's server session: the session attaches to it again, where the
backend responses under way may have gone on, their end unseen. Their spans end at the
reattach, unfailed, where they were last seen (the drop, a ``connection.dropped`` event); if
the session ends without attaching again, they end there failed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from .._latest import keep_latest
from ..usage import Tokens
from .hosted import HostedCalls
from .sdk import DISCONNECTED, SEEN, failed, guarded, start_span
from .usage import usage_attributes

_ENDS = ("response.completed", "response.failed", "response.incomplete")
# What a response stops on that the next response of its delegation carries on: a function
# call (its output asks for it) or a hosted server's approval request (the answer does).
_CONTINUED = ("function_call", "mcp_approval_request")
_CLOSED_KEPT = 64  # responses whose span ended, kept (a reattach's, a late event's, a call's)


@dataclass
class _Delegation:
    span: Span
    responses: set[str] = field(default_factory=set)  # open ones
    continued: bool = False  # a response of it called a function: another one follows


@dataclass
class _Backend:
    span: Span
    delegation_id: str | None
    called: bool = False  # it made a function call


def _carried_on(called: bool, output: Any) -> bool:
    """Whether the next response of a delegation carries on from one that ended: the calls
    and approval requests its end's snapshot lists say so (the session runs a call done, or
    without a status, and answers a request; a call cut off it neither runs nor owes), else
    whether its events began one (a snapshot that lists none, or no snapshot: a drop)."""
    listed = [i for i in output or () if isinstance(i, dict) and i.get("type") in _CONTINUED]
    if not listed:
        return called
    return any(i.get("status") in (None, "completed") for i in listed)


class LiveSpans:
    """The delegation and backend response spans of one GPT-Live session."""

    def __init__(
        self,
        tracer: trace.Tracer,
        session: Span,
        hosted: HostedCalls,
        responses: Callable[[str | None], str | None] | None = None,
    ) -> None:
        self._tracer = tracer
        # The session's latest response of a delegation, by the session's name for it: the
        # one rule of which response an event is of (it may begin without its
        # ``response.created``, be created with no id, or be seen only by its end), which
        # the spans follow. One whose span ended already is never opened again (a response
        # carried on after a reattach ended there: see ``reattached``).
        self._responses = responses
        self._closed: dict[str, Span] = {}  # the latest spans ended, by response
        self._session = session
        self._hosted = hosted
        self._delegations: dict[str, _Delegation] = {}
        self._announced: dict[str, None] = {}  # the latest delegations begun (said again: one)
        self._backend: dict[str, _Backend] = {}
        self._current: dict[str | None, str] = {}  # delegation id -> its response under way
        self._dropped_at: int | None = None  # when the responses under way were cut off

    @property
    def open(self) -> int:
        """How many spans are open."""
        return len(self._delegations) + len(self._backend)

    def span_of(self, response_id: str | None) -> Span | None:
        """The span of a backend response (the parent of its calls' ``execute_tool``)."""
        entry = self._backend.get(response_id or "")
        span = self._closed.get(response_id or "") if entry is None else entry.span
        # (one seen only by its end runs the calls its snapshot lists; one whose span could
        # not start has none: its calls are the session's)
        return span if span is not None and span.get_span_context().is_valid else None

    # -- the Live server's events ------------------------------------------------------------

    def started(self, event: Any) -> None:
        """``session.started`` (or a call's ``session.updated``, whose sideband has none):
        the Live model the server resolved."""
        model = getattr(event.session, "model", None)
        if isinstance(model, str) and model:
            self._session.set_attribute("gen_ai.response.model", model)

    def delegated(self, event: Any) -> None:
        info = event.delegation
        attributes: dict[str, Any] = {
            "rtagents.delegation.id": info.id,
            "rtagents.delegation.target": info.target,
        }
        if event.offset_ms is not None:
            attributes["rtagents.delegation.offset_ms"] = event.offset_ms
        if info.response_id:
            attributes["rtagents.delegation.response_id"] = info.response_id
        if info.id in self._announced:  # said again, its span open or ended: one span
            return
        keep_latest(self._announced, info.id, None, SEEN)
        span = start_span(
            self._tracer,
            "delegation",
            "a delegation's span",
            context=trace.set_span_in_context(self._session),
            kind=SpanKind.INTERNAL,
            attributes=attributes,
        )
        self._delegations[info.id] = _Delegation(span)

    def decided(self, delegation_id: str | None) -> None:
        """A delegation's answer: a decisions delegation's, or the app's to a client one
        (``delegation.answered``, once the server has it). Its span ends."""
        entry = self._delegations.pop(delegation_id or "", None)
        if entry is not None:
            entry.span.end()

    def response_event(self, event: Any) -> None:
        inner = event.event
        kind = inner.get("type")
        delegation_id = event.delegation_id
        if kind == "response.created":
            self._created(inner.get("response") or {}, delegation_id)
            return
        if self._under_way(delegation_id) is None:  # one the session began unseen, if any
            self._created({}, delegation_id)  # (seen only by its end: its span ends at once)
        if kind in _ENDS:
            response = inner.get("response") or {}
            rid = response.get("id")
            if rid not in self._backend:  # one the session named itself
                rid = self._under_way(delegation_id) or rid
            self._ended(rid, response, None)
        elif kind == "error":
            code = inner.get("code") or "error"
            self._ended(self._under_way(delegation_id), {}, (code, inner.get("message")))
        elif kind in ("response.output_item.added", "response.output_item.done"):
            self._item(kind == "response.output_item.added", inner.get("item"), delegation_id)

    def _item(self, added: bool, item: Any, delegation_id: str | None) -> None:
        if not isinstance(item, dict):
            return
        rid = self._under_way(delegation_id)
        entry = self._backend.get(rid or "")
        if entry is not None and item.get("type") in _CONTINUED:
            entry.called = True  # (begun: its end's snapshot says if it was cut off)
        if item.get("type") != "mcp_call" or not isinstance(item.get("id"), str):
            return
        if added:
            parent = self.span_of(rid) or self._session
            name = str(item.get("name") or "unknown")
            self._hosted.added(item["id"], name, item.get("server_label"), parent, rid)
        else:
            output, arguments = item.get("output"), item.get("arguments")
            self._hosted.done(item["id"], item.get("error"), output, arguments)

    def _under_way(self, delegation_id: str | None) -> str | None:
        """The response of ``delegation_id`` an event without one is of: the one seen
        created last, or, after a drop (which forgets that), the delegation's one response
        still open, which the attached connection carries on."""
        rid = self._current.get(delegation_id)
        if rid is None:
            delegation = self._delegations.get(delegation_id or "")
            if delegation is not None and len(delegation.responses) == 1:
                rid = next(iter(delegation.responses))
        return rid

    # -- backend responses -----------------------------------------------------------------

    def _created(self, response: dict[str, Any], delegation_id: str | None) -> None:
        """A backend response's span: by its id, else by the session's name for it."""
        rid, responses = response.get("id"), self._responses
        if not isinstance(rid, str) and responses is not None:
            rid = responses(delegation_id)
            if rid in self._closed:
                return  # its span ended: the event is of a response over (or cut) here
        if not isinstance(rid, str) or rid in self._backend:
            return
        model = response.get("model") or "unknown"
        delegation = self._delegations.get(delegation_id or "")
        parent = delegation.span if delegation is not None else self._session
        attributes: dict[str, Any] = {
            "gen_ai.operation.name": "responses_inference",
            "gen_ai.provider.name": "openai",
            "gen_ai.response.model": model,
        }
        if isinstance(response.get("id"), str):  # (else its end names it, if it does)
            attributes["gen_ai.response.id"] = response["id"]
        if delegation_id:
            attributes["rtagents.delegation.id"] = delegation_id
        # One that cannot start is the invalid span, kept: the response's next events find
        # it, rather than each trying (and logging) again.
        span = start_span(
            self._tracer,
            f"responses_inference {model}",
            f"the span of backend response {rid}",
            context=trace.set_span_in_context(parent),
            kind=SpanKind.CLIENT,
            attributes=attributes,
        )
        self._backend[rid] = _Backend(span, delegation_id)
        self._current[delegation_id] = rid
        if delegation is not None:
            delegation.responses.add(rid)
            delegation.continued = False

    def _ended(
        self,
        rid: str | None,
        response: dict[str, Any],
        error: tuple[str, Any] | None,
        at: int | None = None,
    ) -> None:
        entry = self._backend.pop(rid or "", None)
        if entry is None or rid is None:
            return  # unknown, or ended already (an error in its stream, then its failure)
        self._closed[rid] = entry.span
        if len(self._closed) > _CLOSED_KEPT:
            del self._closed[next(iter(self._closed))]
        if self._current.get(entry.delegation_id) == rid:
            del self._current[entry.delegation_id]
        span = entry.span
        if isinstance(response.get("id"), str):  # the server's id for one named here
            span.set_attribute("gen_ai.response.id", response["id"])
        # Read as leniently as the session reads the frame: an odd shape costs an attribute,
        # never the span's end.
        status = response.get("status")
        status = (
            status if isinstance(status, str) and status else ("failed" if error else "unknown")
        )
        span.set_attribute("gen_ai.response.status", status)
        details = response.get("incomplete_details") or {}
        if isinstance(details, dict) and details.get("reason"):
            span.set_attribute("gen_ai.response.finish_reasons", [details["reason"]])
        usage = response.get("usage")
        if isinstance(usage, dict):
            span.set_attributes(usage_attributes(Tokens.from_responses(usage)))
            token_details = usage.get("output_tokens_details")
            reasoning = (
                token_details.get("reasoning_tokens") if isinstance(token_details, dict) else None
            )
            if isinstance(reasoning, int):
                span.set_attribute("rtagents.usage.reasoning_tokens", reasoning)
        failure = error
        if failure is None and status == "failed":
            err = response.get("error")
            err = (
                err if isinstance(err, dict) else {"message": err if isinstance(err, str) else None}
            )
            failure = (err.get("code") or "response_failed", err.get("message"))
        if failure is not None:
            # The server's message may quote what the work was given: content, behind the
            # opt-in (as a hosted call's), else its code.
            said = failure[1] if self._hosted.capture else None
            failure = (failure[0], str(said or failure[0]))
            failed(span, failure)
        self._hosted.cut(rid, failure, at)  # its hosted calls, if their end is unseen
        guarded("a backend response's end", span.end, at)  # (never its delegation's)
        delegation = self._delegations.get(entry.delegation_id or "")
        if delegation is None:
            return
        delegation.responses.discard(rid)
        if failure is not None:
            delegation.span.set_status(Status(StatusCode.ERROR, "its response failed"))
        elif _carried_on(entry.called, response.get("output")):
            delegation.continued = True
        if not delegation.responses and not delegation.continued:
            del self._delegations[entry.delegation_id or ""]
            delegation.span.end(end_time=at)

    # -- the end -------------------------------------------------------------------------------

    def dropped(self) -> None:
        """The connection dropped (each attempt to open another tells again): the backend
        responses under way wait for the reattach, marked where they were last seen."""
        self._current.clear()  # the next events of a delegation are a new response's
        if self._dropped_at is not None or not self._backend:
            return
        self._dropped_at = time.time_ns()
        for entry in self._backend.values():
            entry.span.add_event("connection.dropped", timestamp=self._dropped_at)

    def reattached(self) -> None:
        """The same server session again: what the drop cut went on there, unfailed."""
        self._cut_off(None)

    def _cut_off(self, failure: tuple[str, str] | None) -> None:
        at, self._dropped_at = self._dropped_at, None
        if at is not None:
            for rid in list(self._backend):  # (one that raises costs only its own span)
                guarded("a backend response's end", self._ended, rid, {}, failure, at)

    def end(self, dropped: bool = False) -> None:
        """The session ended (``dropped``: failing, its connection gone with it)."""
        if dropped:  # (told now if no reconnect was tried)
            self.dropped()
        self._cut_off(DISCONNECTED)  # never attached again: cut for good
        for entry in self._backend.values():
            guarded("a backend response's end", entry.span.end)
        for delegation in self._delegations.values():
            guarded("a delegation's end", delegation.span.end)
        self._backend.clear()
        self._delegations.clear()
