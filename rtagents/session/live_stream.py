"""What GPT-Live hands over, as the orchestrator's inputs, sans I/O: the Responses stream of
delegated work (inside ``response.event``). (The transcript is ``live_transcript``'s.)

A delegated response's ``response.created`` is ``response_started``; its end (completed,
failed, incomplete, or an ``error`` in its stream) is ``response_ended``, the last two with a
``session.warning`` naming what went wrong. Its function calls start as soon as their
arguments are complete (``response.function_call_arguments.done``, named by the call's
``output_item.added``) or at their ``output_item.done``, once each whichever comes first; its
hosted MCP approval requests go to the agent's policy. The inner events carry no response
id: each is of its delegation's response (the outer event's ``delegation_id``), which a
record per delegation keeps across drops (``begin`` says when one begins unseen).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from .. import protocol as p
from .._latest import keep_latest
from ..protocol import live as lp
from .actions import Action, Decision, Emit, StartCall, ToolTraits, TraitsOf
from .events import SessionWarning
from .hosted_listings import HostedListings
from .live_records import UNKNOWN_RESPONSE, Begun, Delegation, Seen
from .orchestrator import Orchestrator

if TYPE_CHECKING:
    from .live_transcript import Transcript

Decided = Sequence[Decision | Action] | None
_KEPT = 32  # the delegations, responses and user turns kept, at most (the latest)


class DelegatedWork:
    """The delegated responses of one session: which is under way for each delegation."""

    def __init__(
        self,
        orchestrator: Orchestrator,
        transcript: Transcript | None = None,
    ) -> None:
        self.orchestrator = orchestrator
        self.hosted_tools = HostedListings()
        self._transcript = transcript  # whose user turn a response answers (``stop_turn``)
        self._current: dict[str | None, str] = {}  # delegation id -> its response under way
        self._delegations: dict[str, Delegation] = {}  # the last few, by id
        self._made: dict[str, str] = {}  # names made here -> the id an end gave ("": none)
        self._last: str | None = None  # the response created last (for uncorrelated events)
        self._open: dict[str, None] = {}  # responses started and not ended (a set, as a dict)
        # Open when the connection dropped: the attached one may carry them on.
        self._carried: dict[str, None] = {}
        # The last responses begun (see ``Begun``), and the user turns an input guardrail
        # stopped -> why.
        self._seen = Seen()
        self._begun = self._seen.begun
        self._stopped: dict[str, str] = {}
        self._ended: deque[str] = deque(maxlen=16)  # the last ones ended (a late end is news)
        self._finished: dict[str, None] = {}  # those by their own end (no error, no drop)
        # Calls announced, by item id: (call_id, name, the response it is of).
        self._calls: dict[str, tuple[str, str, str | None]] = {}
        self._cut: list[tuple[str | None, tuple[str, str, str | None]]] = []  # see ``forget``
        self._unnamed = 0  # responses given no id, named here
        self._ref: str | None = None  # the request of ours the event being read names
        orchestrator.batches.sees = self._seen.sees

    def delegated(self, delegation_id: str, response_id: str | None) -> bool:
        """``session.delegation.created``: the user turn it answers; for the backend, its
        response when it says. One announced without: its response begins with its first
        event (its ``response.created`` may never come on this connection). False for one
        announced before: said again, it is the same work, and nothing of it changes."""
        if delegation_id in self._delegations:
            return False
        turn = self._transcript.user_turn if self._transcript else ""
        keep_latest(self._delegations, delegation_id, Delegation(turn, response_id or None), _KEPT)
        if response_id:
            self._current[delegation_id] = response_id
        return True

    def begin(self, delegation_id: str | None, kind: Any, ref: str | None) -> Decided | None:
        """Before a ``response.event`` of ``delegation_id`` (its inner ``kind``; ``ref``: the
        request of ours it names): a response never seen created begins now, if this is the
        first event of a delegation announced without one, or one naming our request after
        the delegation's latest response ended (its follow-up, begun before an attach). A
        response carried on from before a drop is open again. What a response begun leads
        to, or ``None`` when none began."""
        self._ref, self._seen.naming = ref, self._seen.naming or ref is not None
        delegation = self._delegations.get(delegation_id or "")
        if delegation is None:
            return None
        named_anew, rid = ref is not None and ref != delegation.ref, delegation.response
        delegation.ref = ref or delegation.ref
        if kind == "response.created":
            return None  # it begins itself
        if not delegation.begun:  # the first event of its first response
            return self._begin(rid, delegation_id) or []
        over = rid in self._ended or rid in self._carried  # (one carried may have ended unseen)
        # A follow-up, begun unseen: named anew, or named by nothing after the server's end.
        if kind not in ENDS and ((named_anew and over) or (ref is None and rid in self._finished)):
            self._carried.pop(rid or "", None)
            return self._begin(None, delegation_id) or []
        if rid in self._carried:
            self._reopen(rid, delegation_id)
        return None

    def stopped(self, delegation_id: str) -> bool:
        """Whether the user turn ``delegation_id`` answers was stopped by an input guardrail
        (its answer is not given: a client delegation's, see ``LiveCore``)."""
        delegation = self._delegations.get(delegation_id)
        return delegation is not None and delegation.turn in self._stopped

    @property
    def carrying(self) -> bool:
        """Whether a response open at the last drop may still be going on, unseen since."""
        return bool(self._carried)

    def _reopen(self, rid: str, delegation_id: str | None) -> None:
        """The attached connection carries ``rid`` on: open again, blocked again if it
        answers a turn a guardrail stopped (a drop forgets what was blocked)."""
        del self._carried[rid]
        self._open[rid] = None
        self._current[delegation_id] = rid
        self.orchestrator.batches.reopened(rid)
        stopped = self._stopped.get(self._begun.get(rid, UNKNOWN_RESPONSE).turn)
        if stopped is not None:
            self.orchestrator.batches.blocked[rid] = stopped

    def event(self, event: Any, kind: Any = None) -> Decided:
        """One ``response.event``: what the Responses event it wraps leads to (``kind``: its
        ``type``, if the caller read it already)."""
        if kind is None:
            inner_dict = event.event
            kind = inner_dict.get("type") if isinstance(inner_dict, dict) else None
        if type(kind) is str and kind not in _INNER and _untyped(kind, event.event):
            return None  # decoded, it would be an UnknownResponsesEvent, which leads nowhere
        try:
            decoded = lp.decode_response_event(event)
        except p.ProtocolError as exc:
            return [Emit(SessionWarning(f"response.event: inner event ignored: {exc}"))]
        inner = decoded.event
        route = _INNER.get(inner.type)
        decided = route(self, inner, event.delegation_id) if route is not None else None
        if not decoded.dropped:
            return decided
        left_out = ", ".join(decoded.dropped)
        warning = Emit(SessionWarning(f"response.event {inner.type}: left out {left_out}"))
        return [warning, *(decided or ())]

    def stop_turn(self, turn: str, reason: str) -> list[str]:
        """An input guardrail stopped the user's ``turn`` (``Transcript.user_turn``): the
        responses that answer it (begun while it was the user's latest), whose calls are the
        caller's to stop (those of one that ended still run). One still open is blocked, so
        are the calls it announces later, and so is any response that begins for that turn
        from now on (see ``_on_created``)."""
        keep_latest(self._stopped, turn, reason, _KEPT)
        answers = [rid for rid, begun in self._begun.items() if begun.turn == turn]
        for rid in answers:
            if rid in self._open or rid in self._carried:
                self.orchestrator.batches.blocked[rid] = reason
        return answers

    def forget(self, attaching: bool) -> None:
        """The connection dropped: every response on it is over for us. When the next one
        attaches to the same session (``attaching``), whose response still waits for the
        output of each call it announced, a call whose arguments the drop cut off is kept,
        to be answered by ``cut_off`` (never run: the server has no way to send them again)."""
        cut = [(item, call) for item, call in self._calls.items() if call[2] in self._open]
        if attaching:  # (with those a drop before the last attach was done cut off)
            self._cut += [(item, call) for item, call in cut if item not in dict(self._cut)]
            for rid in self._open:
                keep_latest(self._carried, rid, None, _KEPT)
        else:
            self._cut, self._carried = [], {}
        self._open.clear()
        self._current.clear()
        self._calls.clear()

    def cut_off(self, owed: Sequence[str] = ()) -> Decided:
        """The calls ``forget`` kept, and those ``owed`` (the server waits for them, and no
        event of ours announced them: a drop lost them, of the latest response), each
        answered as cut off unless it started already. Their responses are over for us (the
        drop ended them, and is not their end: it proves nothing of the new connection):
        their batches are asked for once complete."""
        cut, self._cut = [*self._cut, *((None, (c, "", self._last)) for c in owed)], []
        decided: list[Decision | Action] = []
        for item_id, (call_id, name, rid) in cut:
            if rid is not None and rid not in self._ended:  # a late end of it means nothing
                self._carried.pop(rid, None)
                self._open.pop(rid, None)  # (an event of it may have opened it again)
                self._current = {d: r for d, r in self._current.items() if r != rid}
                self._ended.append(rid)
                self.orchestrator.batches.ended(rid)
            stopped = self._stopped.get(self._begun.get(rid or "", UNKNOWN_RESPONSE).turn)
            if rid is not None and stopped is not None:  # it answers a turn a guardrail stopped
                self.orchestrator.batches.blocked[rid] = stopped
            for decision in self.orchestrator.call_arrived(call_id, name, "", rid, item_id):
                if isinstance(decision, StartCall):  # (the orchestrator starts it once)
                    decision = replace(decision, cut_off=True)
                decided.append(decision)
        return decided

    def response_of(
        self, delegation_id: str | None, inner: Any = None, kind: Any = None
    ) -> str | None:
        """The response an event of ``delegation_id`` is of: the one a lifecycle event
        (``inner``, of ``kind``) names, else the one under way in the delegation (or the
        one created last)."""
        response = inner.get("response") if kind in _LIFECYCLE else None
        rid = r if type(response) is dict and type(r := response.get("id")) is str else None
        if rid is not None and kind != "response.created":
            return self._ending(rid, delegation_id)
        return rid or self._latest(delegation_id) or self._last

    def latest(self, delegation_id: str | None) -> str | None:
        """The response of ``delegation_id`` the session knows last (under way, else the one
        that just ended), by its name here: its id, or the one given to a response begun
        without one (the tracer's spans follow the session's responses so)."""
        return self._latest(delegation_id)

    def _latest(self, delegation_id: str | None) -> str | None:
        """The response under way in the delegation, else its latest known."""
        delegation = self._delegations.get(delegation_id or "")
        known = delegation.response if delegation is not None else None
        return self._current.get(delegation_id) or known

    def _ending(self, rid: str, delegation_id: str | None) -> str:
        """The response an end naming ``rid`` is of: the delegation's latest, if that one was
        named here (it began without an id, or before its ``response.created``) and ``rid``
        is no other response known (nor another end of it, after an error in its stream)."""
        name = self._latest(delegation_id)
        if name is None or rid in self._open or rid in self._ended:
            return rid
        return name if self._made.get(name) in ("", rid) else rid

    def _on_created(self, inner: Any, delegation_id: str | None) -> Decided:
        return self._begin(inner.response.id, delegation_id)

    def _begin(self, response_id: str | None, delegation_id: str | None) -> Decided:
        # Without an id, it is named after its delegation (and counted: the next one of the
        # same delegation is another response), so that its calls and its end find it.
        rid = response_id or self._current.get(delegation_id)
        if rid is None:
            self._unnamed += 1
            rid = f"{delegation_id}#{self._unnamed}"
            keep_latest(self._made, rid, "", _KEPT)
        self._current[delegation_id] = self._last = rid
        self._open[rid] = None
        delegation = self._delegations.get(delegation_id or "")
        # One that names our request after a response of its delegation goes on with it.
        goes_on = delegation is not None and delegation.begun and delegation.ref is not None
        if delegation is not None:  # it answers the turn its delegation does
            delegation.response, delegation.begun, turn = rid, True, delegation.turn
        else:
            turn = self._transcript.user_turn if self._transcript else ""
        begun = Begun(turn, delegation_id, goes_on, self._ref is not None)
        keep_latest(self._begun, rid, begun, _KEPT)
        self.orchestrator.response_started(rid, in_conversation=True)
        reason = self._stopped.get(turn)
        if reason is not None:  # it answers a turn a guardrail stopped: its calls are blocked
            return self.orchestrator.block(rid, reason)
        return None

    def _on_ended(self, inner: Any, delegation_id: str | None) -> Decided:
        response = inner.response
        problem = None
        if inner.type == "response.failed":
            err = response.error
            detail = f"{err.code}: {err.message}" if err is not None else "no reason given"
            problem = f"the delegated response {response.id} failed: {detail}"
        elif inner.type == "response.incomplete":
            details = response.incomplete_details
            why = getattr(details, "reason", None) or "no reason given"
            problem = f"the delegated response {response.id} is incomplete: {why}"
        rid = self._ending(response.id, delegation_id) if response.id else None
        if rid in self._made:
            self._made[rid] = response.id  # the id it has: another end of it is the same
        return self._end(rid or self.response_of(delegation_id), delegation_id, response, problem)

    def _on_stream_error(self, inner: Any, delegation_id: str | None) -> Decided:
        problem = f"the delegated response failed: {inner.code}: {inner.message}"
        rid = self.response_of(delegation_id)
        if rid is None or rid not in self._open:
            return [Emit(SessionWarning(problem, {"code": inner.code}))]
        return self._end(rid, delegation_id, None, problem)

    def _end(
        self, rid: str | None, delegation_id: str | None, response: Any, problem: str | None
    ) -> Decided:
        if rid is not None and rid in self._ended:
            return None  # ended already (an error in its stream, then its failure)
        self._open.pop(rid or "", None)
        if rid is not None:
            self._ended.append(rid)
            if response is not None:  # (its completed, failed, incomplete: the server's word)
                keep_latest(self._finished, rid, None, _KEPT)
            for item in [item for item, call in self._calls.items() if call[2] == rid]:
                del self._calls[item]  # (a call it never finished: never run, never owed)
        if rid is not None and self._current.get(delegation_id) == rid:
            del self._current[delegation_id]
        decided: list[Decision | Action] = []
        # Calls and approval requests whose done events never came are still answered: a
        # snapshot that lists them says so.
        for item in getattr(response, "output", None) or []:
            if isinstance(item, lp.FunctionCall) and item.status in (None, "completed"):
                decided += self.orchestrator.call_arrived(
                    item.call_id, item.name, item.arguments, rid, item.id
                )
            elif isinstance(item, lp.McpApprovalRequest):
                decided += self._approval(item, rid)
        if problem is not None:
            decided.append(Emit(SessionWarning(problem, {"response_id": rid})))
        return [*decided, *self.orchestrator.response_ended(rid)]

    def _on_item_added(self, inner: Any, delegation_id: str | None) -> None:
        item = inner.item
        if isinstance(item, lp.FunctionCall) and item.id:  # for the arguments' end
            rid = self.response_of(delegation_id)
            self._calls[item.id] = (item.call_id, item.name, rid)
            # Its response answers the outputs it saw, as a call that arrives whole says
            # (``call_arrived``): a drop before its arguments must not owe them again.
            self.orchestrator.batches.answered(rid)

    def _on_arguments_done(self, inner: Any, delegation_id: str | None) -> Decided:
        known = self._calls.get(inner.item_id)
        if known is None:
            return None  # its output_item.done starts it
        call_id, name, rid = known
        return self.orchestrator.call_arrived(call_id, name, inner.arguments, rid, inner.item_id)

    def _on_item_done(self, inner: Any, delegation_id: str | None) -> Decided:
        item, rid, orchestrator = inner.item, self.response_of(delegation_id), self.orchestrator
        if isinstance(item, lp.FunctionCall):
            self._calls.pop(item.id or "", None)
            if item.status in (None, "completed"):
                return orchestrator.call_arrived(
                    item.call_id, item.name, item.arguments, rid, item.id
                )
            orchestrator.item_done(rid, answers=False)  # cut off: it never completes
            return None
        if isinstance(item, lp.McpApprovalRequest):
            return self._approval(item, rid)
        if isinstance(item, lp.McpListTools):
            self.hosted_tools[item.server_label] = [
                p.McpListedTool.model_validate(t if isinstance(t, dict) else t.model_dump())
                for t in item.tools
            ]
        answers = isinstance(item, lp.Message) and item.status == "completed"
        orchestrator.item_done(rid, answers=answers)
        return None

    def _approval(self, item: Any, rid: str | None) -> list[Decision]:
        """A hosted MCP approval request (once, however often listed): to the policy."""
        request = p.McpApprovalRequest(
            id=item.id, server_label=item.server_label, name=item.name, arguments=item.arguments
        )
        return self.orchestrator.approval_arrived(request, rid)


def replying(traits: TraitsOf) -> TraitsOf:
    """On GPT-Live every call is answered: a delegated response waits for all its outputs,
    so a tool's ``trigger_response=False`` cannot be left unanswered."""

    def answered(name: str, response_id: str | None) -> ToolTraits | None:
        known = traits(name, response_id)
        if known is None or known.trigger_response:
            return known  # no copy per call when there is nothing to change
        return replace(known, trigger_response=True)

    return answered


ENDS = ("response.completed", "response.failed", "response.incomplete", "error")
"""The Responses events that end a delegated response (a stream never begins with one once
its delegation has had a response: that is a late end)."""
_LIFECYCLE = ("response.created", "response.completed", "response.failed", "response.incomplete")

_INNER: dict[str, Callable[[DelegatedWork, Any, str | None], Decided]] = {
    "response.created": DelegatedWork._on_created,
    "response.completed": DelegatedWork._on_ended,
    "response.failed": DelegatedWork._on_ended,
    "response.incomplete": DelegatedWork._on_ended,
    "error": DelegatedWork._on_stream_error,
    "response.output_item.added": DelegatedWork._on_item_added,
    "response.function_call_arguments.done": DelegatedWork._on_arguments_done,
    "response.output_item.done": DelegatedWork._on_item_done,
}
"""The Responses events inside ``response.event`` that the session acts on."""


def _untyped(kind: str, inner: dict[str, Any]) -> bool:
    """Whether the Responses event ``inner`` (of type ``kind``) decodes, without a warning,
    as an ``UnknownResponsesEvent`` (text deltas and the like, most of a stream): a kind the
    protocol does not type, with no ``sequence_number`` that could break its schema."""
    if kind in lp.RESPONSES_EVENTS:
        return False
    sequence = inner.get("sequence_number")
    return sequence is None or type(sequence) is int
