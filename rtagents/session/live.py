"""The GPT-Live wire adapter, sans I/O: frames in; actions out.

The same shape as the Realtime adapter (``realtime.py``), over the same ``Orchestrator``:
server events become its inputs (one routing table, ``_ROUTES``, and one for the Responses
events a ``response.event`` wraps, ``_INNER``), and its decisions become Live client events
(``live_out``).

GPT-Live has no conversation items and no response lifecycle for the voice model, which
drives turns and barge-in and hands work over (``session.delegation.created``). The backend's
Responses stream comes in ``response.event``: its calls live as on Realtime (``call_arrived``,
``StartCall``), its start and end are ``response_started``/``response_ended``, each output is
a ``response.item.create`` and each batch gets one ``response.create`` once all are in.

An output counts as sent, for the batch, when it goes out: GPT-Live acknowledges none (only
an ``error`` may name it), and the output and the ``response.create`` after it go in order on
one connection. An ``error`` naming either is a refusal, as on Realtime. What a drop may have
lost is sent again to an attached connection until the server is known to have read a
request sent after it (``live_out.Held``). What GPT-Live cannot do (typed user text, an input
commit, the app's ``response.create``, ``response.cancel``, truncate) raises
``UnsupportedByAPI`` before anything is sent. The app's close sends ``session.close``
(``goodbye``); the server's ``session.closed`` brings the final usage (``last_word``)."""

from __future__ import annotations

import base64
import itertools
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from .. import protocol as p
from ..protocol import live as lp
from ..protocol.live.codec import validate_live_server_frame as _validate
from . import live_config
from .actions import (
    LOST,
    Action,
    Decision,
    Emit,
    Encoded,
    EndSession,
    Send,
    SendAnswer,
    SendNote,
    SendOutput,
    StartDelegation,
    TraitsOf,
    encoding,
)
from .adapter import OrchestratedAdapter, failed_on
from .events import (
    AudioInterrupted,
    DelegationAnswered,
    ProgressDropped,
    ProgressSpoken,
    SessionWarning,
)
from .journal import Journal
from .journal_items import kept_answer
from .live_out import OUT as _OUT
from .live_out import Held, item_of
from .live_refusals import LiveRefusals
from .live_stream import ENDS, DelegatedWork, replying
from .live_transcript import Transcript, said
from .orchestrator import BUSY, UNSEEN_WAIT_S, Orchestrator
from .restate import Place
from .states import LinkInput
from .wire import Requests, decode, error_ref, lost_requests, owed_ids

if TYPE_CHECKING:
    from ..agent import Agent


_CARRIED_WAIT_S = 5.0
_CLOSED_WELL = ("close_requested", "remote_hangup")
"""The reasons of the server's ``session.closed`` that are not an error."""

Decided = Sequence[Decision | Action] | None


class LiveCore(LiveRefusals, OrchestratedAdapter):
    """One GPT-Live session's protocol state, over the orchestration of its calls.

    Args:
        traits: What the orchestrator needs to know of a tool, by name (``None``: unknown).
        model: The Live model, instead of the agent's ``live.model``.
        sideband: A sideband of a session that exists (a SIP call's, started by its
            accept): it never sends ``session.start``; the agent configures it with
            ``session.update`` (what can change after the start: the delegation).
    """

    api = "live"
    encode = staticmethod(encoding(lp.encode_live_client_event))
    notes_want_reply = False  # a background result is commentary: the model says it itself
    client_fillers = False  # its server acknowledges a delegation itself

    def __init__(
        self,
        traits: TraitsOf,
        journal: Journal | None = None,
        *,
        model: str | None = None,
        sideband: bool = False,
    ) -> None:
        ids = map("evt_live_{}".format, itertools.count(1))
        self.next_event_id: Callable[[], str] = ids.__next__
        self.journal = journal if journal is not None else Journal()
        """What was said, the calls and their outputs: ``session.history``."""
        self.orchestrator = Orchestrator(replying(traits), self.next_event_id, self.journal)
        self.expires_at: float | None = None
        self.session_id: str | None = None
        """The server's session id, from ``session.started``."""
        self.config: dict[str, Any] = {}
        """The session as the server last reported it (``session.started``/``updated``)."""
        self._set: list[Place] = []  # the settings a config this session sent has set
        self._model = model
        self._requests = Requests()
        self.sideband = self._started = sideband  # _started: session.start went out (or need not)
        self._attaching = False  # the next connection attaches to this session (a drop's)
        self._held = Held()
        self.transcript = Transcript(self.journal)
        """What was said (its turns: what the guardrails' trips stop, see ``guard_trips``)."""
        self._work = DelegatedWork(self.orchestrator, self.transcript)
        self.hosted_tools = self._work.hosted_tools  # what each hosted server listed, by label

    # -- frames in -------------------------------------------------------------------------

    @staticmethod
    def reread(frame: str | bytes) -> Any:
        """A delivered frame's event again, as the app first got it (see ``wire.reread``)."""
        event: Any = lp.decode_live_server_frame(frame).event
        if getattr(event, "session", None) is not None:
            live_config.redact(event.session)
        return event

    def receive_frame(self, frame: str | bytes) -> list[Action]:
        """One frame from the server; nothing a frame holds raises (see ``RealtimeCore``)."""
        event, warnings = decode(frame, lp.decode_live_server_frame, _validate)
        if event is None:
            return list(warnings)
        if not warnings:
            return self.receive(event, len(frame), frame)
        # A frame read only in part is not kept (see ``RealtimeCore.receive_frame``).
        return [*warnings, *self.receive(event, len(frame))]

    def receive(self, event: Any, size: int = 0, frame: str | bytes | None = None) -> list[Action]:
        """One typed server event: the replies it resolves, the event for the app, then what
        it leads to. The server's ``session.closed`` is not delivered as such: the session
        ends with its reason, and the framework's ``session.closed`` says so."""
        try:
            if event.type == "error" and error_ref(event) in self._held.resent:
                return [Emit(SessionWarning(_HAD_IT + event.error.message))]
            before = self._requests.resolve(event) if self._requests else None
            route = _ROUTES.get(event.type)
            decided = route(self, event) if route is not None else None
            after = self._wire(decided) if decided else None
        except Exception as exc:  # a bug of ours must cost one event, not the session
            return failed_on(event, size, exc)
        delivered = () if event.type == "session.closed" else (Emit(event, size, frame),)
        return [*(before or ()), *delivered, *(after or ())]

    # -- the routes ------------------------------------------------------------------------------

    def _on_session(self, event: Any) -> None:
        self.hosted_tools.configured()  # (what was sent is taken: its servers list now)
        live_config.redact(event.session)
        session = event.session
        self.config = session.model_dump(exclude_unset=True)
        self.session_id = session.id or self.session_id
        expires = session.expires_at
        self.expires_at = float(expires) if isinstance(expires, (int, float)) else None

    def _on_error(self, event: Any) -> Decided:
        err, ref = event.error, error_ref(event)
        self._held.refused(ref)
        if err.code == BUSY:  # a response taken for its answer was another delegation's
            self.orchestrator.batches.not_answering(ref)  # (see there)
        # What runs may be a response carried over a drop, its end a while off: not polled.
        wait = _CARRIED_WAIT_S if self._work.carrying else UNSEEN_WAIT_S
        refused = self.orchestrator.refused(ref, message=err.message, code=err.code, wait_s=wait)
        if err.code not in ("missing_tool_output", "missing_approval_response"):
            return refused
        owed = [i for i in owed_ids(str(err.message)) if i not in self.orchestrator.started]
        if err.code == "missing_tool_output":  # calls a drop kept from us: answered unrun
            return [*refused, *(self._work.cut_off(owed) or ())]
        rid, lost = self._work.response_of(None), lost_requests(owed)
        return [
            *refused,
            *(d for r in lost for d in self.orchestrator.approval_arrived(r, rid, LOST)),
        ]

    def _on_closed(self, event: Any) -> Decided:
        reason = str(event.reason)
        ended = EndSession(f"GPT-Live ended the session: {reason}", reason not in _CLOSED_WELL)
        return [Emit(event.final_usage()), ended]  # (told before the end)

    def last_word(self, frame: str | bytes) -> Any:  # (the answer to our ``goodbye``)
        event, _ = decode(frame, lp.decode_live_server_frame, _validate)
        return event.final_usage() if isinstance(event, lp.SessionClosed) else None

    def _on_delegation(self, event: Any) -> Decided:
        delegation = event.delegation
        if not self._work.delegated(delegation.id, delegation.response_id):  # (its turn)
            return None  # said again: one piece of work, started once
        said = self.transcript.taken()  # what was said since the last delegation, whoever does it
        if delegation.target == "client" and not self._work.stopped(delegation.id):
            return [StartDelegation(delegation.id, said)]  # (none for a turn a trip stopped)
        return None

    def stop_turn(self, turn: str, reason: str) -> list[str]:
        """An input guardrail stopped the user's ``turn``: see ``DelegatedWork.stop_turn``."""
        return self._work.stop_turn(turn, reason)

    def _on_input_transcript(self, event: Any) -> Decided:
        self.transcript.heard("user", event.delta)
        return [Emit(said("user", event))]

    def _on_output_transcript(self, event: Any) -> Decided:
        self.transcript.heard("assistant", event.delta)
        return [Emit(said("assistant", event))]

    def _on_response_event(self, event: Any) -> Decided:
        inner = event.event
        kind = inner.get("type") if type(inner) is dict or isinstance(inner, dict) else None
        ref, ends = event.client_event_id, kind in ENDS
        began = self._work.begin(event.delegation_id, kind, ref)  # (one never seen created)
        begins = began is not None or kind == "response.created"
        if ref is None and not begins and not ends:  # (most events: nothing held hears of it)
            return self._work.event(event, kind)
        rid = self._work.response_of(event.delegation_id, inner, kind)  # (before an end)
        # A request sent before a drop is answered (named) by the response that names it:
        # once a response created is known, and before any other event of it acts.
        created = kind == "response.created"
        if ref is not None and rid is not None and not created:
            self.orchestrator.batches.named(ref, rid)
        decided = self._work.event(event, kind)
        if ref is not None and rid is not None and created:
            self.orchestrator.batches.named(ref, rid)
        self._held.response_event(ref, rid, begins, ends)
        return [*began, *(decided or ())] if began else decided

    def delegation_response(self, delegation_id: str | None) -> str | None:
        """See ``DelegatedWork.latest`` (for the tracer: ``runner``)."""
        return self._work.latest(delegation_id)

    def _on_note_heard(self, event: Any) -> Decided:
        """The server has a note of ours: an answer to a client delegation is told."""
        note = self._held.heard(event)
        if note is None or note.delegation_id is None:
            return None
        thinking = type(note) is lp.ThinkingAppend
        return [
            Emit(DelegationAnswered(note.delegation_id, "thinking" if thinking else "commentary"))
        ]

    # -- decisions out --------------------------------------------------------------------------

    def _wire(self, decisions: Iterable[Decision | Action]) -> list[Action]:
        """The orchestrator's decisions as Live client events (the rest as they are). An
        output or an answer counts as the server's once sent (see the module's doc)."""
        actions: list[Action] = []
        for decision in decisions:
            out = _OUT.get(type(decision))
            if out is None:
                actions.append(decision)  # type: ignore[arg-type]  # an action already
                continue
            actions += out(decision)
            if type(decision) is SendOutput:  # by the exact type, as ``_OUT`` goes
                actions += self._wire(self.orchestrator.output_confirmed(decision.call_id))
            elif type(decision) is SendAnswer:
                actions += self._wire(self.orchestrator.answer_confirmed(decision.request_id))
            elif type(decision) is SendNote:
                self._held.noting(decision.ref)
        return actions

    # -- client events out ----------------------------------------------------------------------

    def configure(
        self, agent: Agent, *, tools: Sequence[p.FunctionToolDefinition], tracing: Any
    ) -> tuple[str, list[Action]]:
        """``session.start`` on a new connection (the first thing sent on it), awaiting
        ``session.started``; ``session.update`` (the backend's settings) after. GPT-Live's
        config has no server tracing: ``tracing`` is not sent (local spans still are)."""
        if self._started:
            changes = live_config.update_config(agent, tools, self.config, self._set)
            self._set = sorted({*self._set, *live_config.places_set(changes)})
            return self.request(lp.SessionUpdate(session=changes), "session.updated")
        self._started = True
        config, notes = live_config.start_config(agent, tools, self._model)
        self._set = live_config.places_set(config)
        event_id, actions = self.request(lp.SessionStart(session=config), "session.started")
        if notes:
            said = "GPT-Live has no place for these Agent settings, not sent: " + ", ".join(notes)
            actions.append(Emit(SessionWarning(said)))
        return event_id, actions

    def append_audio(self, pcm: bytes) -> list[Action]:
        audio = base64.b64encode(pcm).decode("ascii")
        return [Send('{"type":"session.input_audio.append","audio":"' + audio + '"}')]

    def commentary(self, text: str, delegation_id: str | None) -> list[Action]:
        return self._held_note(lp.CommentaryAppend, text, delegation_id)

    def thinking(self, text: str, delegation_id: str | None) -> list[Action]:
        return self._held_note(lp.ThinkingAppend, text, delegation_id)

    def _held_note(self, kind: Any, text: str, delegation_id: str | None) -> list[Action]:
        """The app's commentary or thinking (a client delegation's answer, say): held until the
        server has it, and sent again to an attached connection after a drop (``Held``). An
        answer to a delegation whose user turn an input guardrail stopped is not sent."""
        if delegation_id is not None and self._work.stopped(delegation_id):
            return [
                Emit(SessionWarning(_STOPPED % delegation_id, {"delegation_id": delegation_id}))
            ]
        event = kind(event_id=self.next_event_id(), content=text, delegation_id=delegation_id)
        self._held.noting(event.event_id)
        return [Send(event)]

    def progress(self, work_id: str, text: str) -> list[Action]:
        """A tool's progress update is commentary (general: Responses delegation takes no
        delegation id): the Live model says it when it can, as it drives the turns, and any
        commentary cancels its pending acknowledgements. Not held: offline, it is dropped,
        and the app hears so."""
        if not self.orchestrator.link.up:
            return [Emit(ProgressDropped(work_id, text, "the connection was down"))]
        said = lp.CommentaryAppend(event_id=self.next_event_id(), content=text, delegation_id=None)
        return [Send(said), Emit(ProgressSpoken(work_id, text))]

    def playback_stopped(
        self, item_id: str | None, played_ms: int | None, heard_only: bool
    ) -> list[Action]:
        return [Emit(AudioInterrupted(item_id=item_id, played_ms=played_ms))]  # nothing to cut

    def goodbye(self) -> str | None:  # (a sideband's would end the SIP call: it sends none)
        close = lp.SessionClose(event_id=self.next_event_id())
        return None if self.sideband else lp.encode_live_client_event(close)

    # -- the connection -------------------------------------------------------------------------

    def sent(self, event: Any) -> None:
        """Our outputs and answers go in the journal as they go out (``session.history``),
        as the Realtime items they stand for, written when the journal applies the write
        (after the send), not here, before it: the output is on the turn's path."""
        kind = type(event)
        if kind is Encoded:  # an output (its frame built directly), or response.create
            if event.call_id is not None:
                self._held.sent(event.item_id or event.call_id, event)
                self.journal.output_sent(event.call_id, event.output, event.item_id)
            elif event.type == "response.create":
                self._held.asked(event.event_id)
        elif kind is lp.CommentaryAppend or kind is lp.ThinkingAppend:
            self._held.noted(event)  # the app's, a background result's: held till the server has it
        elif kind is lp.ResponseItemCreate and isinstance(event.item, lp.McpApprovalResponse):
            item = event.item
            self._held.sent(item.approval_request_id, event)
            self.journal.sent_as(kept_answer, item.approval_request_id, item.approve)

    def disconnected(self) -> list[Action]:
        if not self.orchestrator.link_event(LinkInput.DROPPED):
            return list(self._requests.close())  # a new connection dropped: no replies
        # The next connection attaches to this session by id (``session.update``, never
        # ``session.start``); before ``session.started`` it starts one afresh.
        self._attaching = self.sideband or self.session_id is not None
        self._started = self._attaching
        self._work.forget(self._attaching)
        return list(self._requests.close())

    def replay(self) -> list[Action]:
        """What we sent that no response answered goes again to the attached session (a copy
        it has is refused: a warning); a new Live session is given nothing."""
        self.orchestrator.link_event(LinkInput.REOPENED)
        if not self._attaching:
            return []
        again = self._held.again()
        self.orchestrator.batches.sent_again(map(item_of, again))  # see the module's doc
        return [Send(event) for event in (*again, *self._held.notes_again())]

    def resumed(self) -> list[Action]:
        return self._wire([*(self._work.cut_off() or ()), *self.orchestrator.owed()])


_HAD_IT = "sent again after a reconnect and refused (the server had it): "
_STOPPED = "the answer to delegation %s was not sent: an input guardrail stopped its turn"


_ROUTES: dict[str, Callable[[LiveCore, Any], Decided]] = {
    "session.started": LiveCore._on_session,
    "session.updated": LiveCore._on_session,
    "session.closed": LiveCore._on_closed,
    "error": LiveCore._on_error,
    "session.delegation.created": LiveCore._on_delegation,
    "session.input_transcript.delta": LiveCore._on_input_transcript,
    "session.output_transcript.delta": LiveCore._on_output_transcript,
    "response.event": LiveCore._on_response_event,
    "session.commentary.appended": LiveCore._on_note_heard,
    "session.thinking.appended": LiveCore._on_note_heard,
}
"""Every Live server event type that leads to something beyond its delivery to the app."""
