"""The orchestration of calls and turns, sans I/O and protocol-neutral.

It decides when tools start, when their outputs go out, and when to ask for the next model
turn; it keeps the connection's state and the app's own request (``states``), the batches
(what is owed), and the journal's accounts of calls. A wire adapter (``realtime``, ``live``)
turns server events into its inputs and its decisions into client events (no I/O here).

The rule for the next turn: one request per batch (the calls and approvals of one
response), made once that response is done and every call that wants a reply has its output,
and never while a response is active in the conversation or a request of ours is unanswered.
Spoken asides while tools run (a call's progress update, a batch's filler) are out-of-band
responses with rules of their own (``fillers``): never a batch's answer, and a batch's request
waits while one of ours is asked for or speaking."""

from __future__ import annotations

from collections.abc import Callable

from .. import protocol as p
from . import started as _started
from .actions import (
    REUSED,
    AskResponse,
    CancelCall,
    CancelResponse,
    Decision,
    Emit,
    RequestFailed,
    SendAnswer,
    SendNote,
    SendOutput,
    StartApproval,
    StartCall,
    StartTimer,
    ToolTraits,
    TraitsOf,
)
from .batches import UNCONFIRMED, Batches, Work
from .events import SessionWarning
from .fillers import Fillers
from .journal import Journal
from .journal_items import note_item_id, output_item_id
from .states import AppAsk, Asked, AskInput, Connection, LinkEffect, LinkInput

BUSY = "conversation_already_has_active_response"  # the server's refusal while one runs
UNSEEN_WAIT_S = 0.5  # a busy refusal's wait, when the response active was never seen
_UNSEEN, _UNSEEN_KEY = "", "unseen:"  # (a response id no server gives; the key + a ref)


class Orchestrator:
    """Calls and turns of one session, across its connections: ``traits`` says what it needs
    to know of a tool, by name (``None``: unknown); ``next_ref`` gives a fresh id for each
    thing it sends (the wire's ``event_id``), or is the prefix of ids it counts itself;
    ``journal`` holds the conversation's items, for a replay after a drop."""

    # Scalars are class attributes until set (performance.md, "Density").
    _refs = 0
    responses_done = 0
    """Responses finished, on every connection (one that finished one proved healthy)."""
    _active: str | None = None  # the response active in the conversation
    _waiting = ""  # while it is one never seen: the key of the wait that ends it
    _in_flight: str | None = None  # the ref of our unanswered request for a response
    _stale: str | None = None  # that ref, once the user took the turn after it

    def next_ref(self) -> str:
        """The next client event id."""
        if self._ref_fn is not None:
            return self._ref_fn()
        self._refs += 1
        return f"{self._ref_prefix}{self._refs}"

    def __init__(
        self,
        traits: TraitsOf,
        next_ref: Callable[[], str] | str,
        journal: Journal | None = None,
    ) -> None:
        self._traits = traits
        # Event ids: a function, or a prefix for its own count (an int, no object: next_ref).
        self._ref_fn = next_ref if callable(next_ref) else None
        self._ref_prefix = next_ref if isinstance(next_ref, str) else ""
        self.journal = journal if journal is not None else Journal()
        self.link = Connection()
        self._ask = AppAsk()
        self.batches = Batches()  # the session's adapter reads ``unanswered`` at the end
        self.started: _started.Started = {}  # every call and approval request, run once
        self.fillers = Fillers()
        """Spoken asides while tools run (progress updates, fillers): see ``fillers``."""

    @property
    def active(self) -> str | None:
        """The id of the response active in the conversation, if any ("": one never seen)."""
        return self._active

    @property
    def waiting(self) -> bool:  # (whether a response is active or asked for: see responding)
        return self._active is not None or self._in_flight is not None

    # -- what the server did -------------------------------------------------------------

    def response_started(
        self, response_id: str | None, *, in_conversation: bool, aside: bool = False
    ) -> list[Decision]:
        """``aside``: an out-of-band response of ours (a progress update, a filler)."""
        if not in_conversation:
            # Out of band: never the answer to our request in flight (the app's out-of-band
            # requests go around the orchestrator, our asides too), which stays in flight.
            return self.fillers.started(response_id, ours=aside, refs=self)
        if self.batches.over(response_id, begun=False):  # (created again, late: still over)
            return []
        if self._ask.state is Asked.SENT and self._in_flight == self._ask.ref:
            self._ask.apply(AskInput.CREATED)
            self._ask.response_id = response_id  # kept until it has output
        self.batches.answering(self._in_flight, response_id)
        stale = self._stale is not None and self._stale == self._in_flight
        self._in_flight = self._stale = None
        self._active = response_id
        # Every output the server has added is in this response's context: seen, and
        # answered once this response is done (a drop before that asks again).
        self.batches.seen(response_id or "?")
        if stale and response_id:  # the user took the turn after we asked: not spoken over
            return [CancelResponse(self.next_ref(), response_id)]
        return []

    def response_ended(
        self, response_id: str | None, *, in_conversation: bool = True
    ) -> list[Decision]:
        """A response is done (its calls were given with ``call_arrived`` first). One out of
        band never frees the conversation (nor ends a wait for a response never seen). One
        in it never seen begun (``response.done`` alone) answers our request in flight."""
        unseen = self._active is None and self._in_flight is not None and in_conversation
        unseen = unseen and not self.batches.over(response_id)  # (not a late word of an old one)
        started = self.response_started(response_id, in_conversation=True) if unseen else []
        begun = [d for d in started if type(d) is not CancelResponse]  # (over: none to cancel)
        self.responses_done += 1
        self.fillers.ended(response_id)
        running = self.batches.ended(response_id) if response_id is not None else False
        self._answered(response_id)
        if self._active == response_id or (in_conversation and self._active in (None, _UNSEEN)):
            self._active = None
        timer = self.fillers.arm(response_id, running=running)  # a filler's clock, if set
        # An output the server never confirmed on this connection is asked for once (see
        # ``Batches.unconfirmed``): else every response's end would ask for it again.
        told: list[Decision] = []
        if stuck := self.batches.unconfirmed(response_id):
            said = UNCONFIRMED % ", ".join(stuck)
            told.append(Emit(SessionWarning(said, {"call_ids": list(stuck)})))
        return [*begun, *timer, *told, *(self.maybe_ask() or self.maybe_aside())]

    def item_done(self, response_id: str | None, *, answers: bool) -> None:
        """An output of a response is complete; ``answers``: a finished answer to the user
        (a drop before its response's end must not ask a second time)."""
        self._produced(response_id)
        if answers:
            self._answered(response_id)

    def call_arrived(
        self, call_id: str, name: str, arguments: str, response_id: str | None, item_id: str | None
    ) -> list[Decision]:
        """A function call is complete: started once per call id, however often announced.
        One whose output asks for the next turn answers what its response saw (a drop before
        that response's end owes it no more: the call carries the next turn)."""
        self._produced(response_id)
        rid, seen = response_id or "?", _started.call(self.started, call_id, response_id)
        if seen == "again":
            return []
        if seen == "reused":  # answered with an error, never run
            start = StartCall(call_id, name, arguments, response_id, item_id, duplicate=True)
            if not _started.first(self.started, start.work_id, response_id):
                return []
            work = Work(rid, wants_reply=True, call_id=call_id)
            self.batches.start(start.work_id, work, wants_reply=True)
            return [start]
        traits = self._traits(name, response_id) or ToolTraits()
        if traits.trigger_response:
            self.batches.answered(response_id)
        work = Work(rid, traits.trigger_response, traits.cancel_on_interrupt)
        blocked = self.batches.start(call_id, work, wants_reply=traits.trigger_response)
        # Journaled as soon as it starts: the response may never finish.
        self.journal.called(call_id, name, arguments, item_id)
        start = StartCall(call_id, name, arguments, response_id, item_id)
        return [start] if blocked is None else [start, CancelCall(call_id, blocked)]

    def approval_arrived(
        self, request: p.McpApprovalRequest, response_id: str | None, denied: str | None = None
    ) -> list[Decision]:
        self._produced(response_id)
        seen = _started.request(self.started, request.id, response_id)
        if seen == "again" or (seen == "reused" and self.batches.running(request.id)):
            return []  # (a reuse while the first waits: the answer to that id answers both)
        work = Work(response_id or "?", wants_reply=True)
        blocked = self.batches.start(request.id, work, wants_reply=True)
        self.journal.heard(request)  # now: a snapshot may be the only place it is told
        start = StartApproval(request, response_id, REUSED if seen == "reused" else denied)
        return [start] if blocked is None else [start, CancelCall(request.id, blocked)]

    def output_confirmed(self, call_id: str) -> list[Decision]:
        """The server has our output for ``call_id``."""
        self.batches.confirm_output(call_id)
        return self.maybe_ask()

    def answer_confirmed(self, request_id: str) -> list[Decision]:
        """The server has our answer to the approval request ``request_id``."""
        self.batches.confirm(request_id)
        return self.maybe_ask()

    def refused(
        self, ref: str | None, *, message: str, code: str | None, wait_s: float = UNSEEN_WAIT_S
    ) -> list[Decision]:
        """The server refused what we sent as ``ref``: because a response is active (``BUSY``:
        one we never saw is waited for, its end or ``wait_s``), or for good."""
        decisions: list[Decision] = []
        busy = code == BUSY
        if ref is not None and ref == self._in_flight:
            self._in_flight = None
            apps = self._ask.state is Asked.SENT and ref == self._ask.ref
            if apps:
                self._ask.apply(AskInput.BUSY if busy else AskInput.REFUSED)
            if not busy:
                # Not a race we can wait out: say so, and give up on the outputs it asked
                # to answer (the app's own request asked for none: they are still owed).
                if not apps:
                    self.batches.give_up()
                decisions.append(RequestFailed(message, code))
            elif self._active is None:  # one we never saw (begun before this connection):
                self._active, self._waiting = _UNSEEN, _UNSEEN_KEY + ref  # its end, or this wait
                decisions.append(StartTimer(self._waiting, wait_s))  # (not at once)
            # Otherwise a response we did not ask for is running; its end asks again.
        elif busy and ref is not None and self._ask.lost(ref):
            pass  # the app's request lost a race: it goes once the conversation is free
        elif self.fillers.refused(ref):  # an aside of ours: dropped, never sent again
            warning = SessionWarning(f"a spoken aside was refused: {message}", {"code": code})
            decisions.append(Emit(warning))
        elif (work_id := self.batches.rejected(ref)) is not None:
            said = f"the output for {work_id} was rejected: {message}"
            decisions.append(Emit(SessionWarning(said, {"code": code})))
        return decisions + self.maybe_ask()

    def barge_in(self, reason: str) -> list[Decision]:
        """The user took the turn: our aside, the calls that stop for it and (as it begins)
        the answer to our request not yet answered stop."""
        if self._active is None and self._in_flight is not None:
            self._stale = self._in_flight
        stop = self.fillers.interrupted(self)
        return stop + [CancelCall(w, reason) for w in self.batches.interruptible()]

    def block(self, response_id: str, reason: str) -> list[CancelCall]:
        """An input guardrail stopped the turn ``response_id`` answers (``guards``): its
        calls still running are cancelled (answered as cancelled, as by a barge-in), so are
        those it announces later, and no response is asked for its batch, nor for the
        results its background calls told already."""
        batches, started = self.batches, self.started
        for note, call in list(batches.notes.items()):
            if _started.response_of(started, call) == response_id:
                batches.block(note, reason, active=False)
        stopped = batches.block(response_id, reason, active=response_id == self._active)
        return [CancelCall(w, reason) for w in stopped]

    # -- what the app and its tools did ----------------------------------------------------

    def call_finished(
        self, work_id: str, output: str, *, cancelled: bool = False
    ) -> list[Decision]:
        """A call (by its ``work_id``) has its output. One cancelled by a barge-in asks for no
        turn, nor do its batch's outputs so far: the user's turn brings the next response,
        which sees them (ours would talk over the user); a drop before it owes them again."""
        work = self.batches.work.get(work_id)
        if work is None or work.finished:
            return []
        if cancelled:
            self.batches.batch(work.response_id).held = True
        dropped = self.fillers.call_done(work_id, self)  # its update: too late now
        ref = self.next_ref()
        send = SendOutput(ref, work.call_id or work_id, output_item_id(work_id), output)
        finish = self._finish(work_id, ref, wants_reply=work.wants_reply and not cancelled)
        return [*dropped, send, *finish]

    def approval_decided(
        self, request_id: str, approve: bool, reason: str | None
    ) -> list[Decision]:
        work = self.batches.work.get(request_id)
        if work is None or work.finished:
            return []
        ref = self.next_ref()
        answer = SendAnswer(ref, request_id, approve, reason)
        return [answer, *self._finish(request_id, ref, wants_reply=work.wants_reply)]

    def app_asked(self, params: object) -> list[Decision]:
        """The app asks for a turn in the conversation: it goes once no response is active
        there, and again on the next connection if a drop takes it before it has output."""
        self._ask.apply(AskInput.ASK)
        self._ask.params = params
        return self.maybe_ask()

    # -- background work (``@tool(background=True)``) -------------------------------------------

    def background_finished(
        self, call_id: str, role: str, text: str, *, wants_reply: bool
    ) -> list[Decision]:
        """A background call's work ended (its call was answered "started" long ago): its
        result is a new message, a batch of its own, answered by one response like any
        batch. Sent once, however often reported; a drop before a response answered it owes
        it again (the journal gives the message back)."""
        item_id = note_item_id(call_id)
        if not _started.first(self.started, item_id):
            return []
        self.batches.start(item_id, Work(item_id, wants_reply), wants_reply=wants_reply)
        self.batches.batch(item_id).done = True  # no response is to finish first
        self.batches.notes[item_id] = call_id
        ref = self.next_ref()
        note = SendNote(ref, item_id, role, text)
        return [note, *self._finish(item_id, ref, wants_reply=wants_reply)]

    def item_confirmed(self, item_id: str | None) -> list[Decision]:
        """The server has an item: a background result of ours counts as an output it has."""
        if item_id is None or item_id not in self.batches.work:
            return []  # every item the server adds passes here: most are not ours
        self.batches.confirm(item_id)
        return self.maybe_ask()

    # -- spoken asides while tools run (see ``fillers``) -------------------------------------------

    def progress(self, work_id: str, text: str) -> list[Decision]:
        """A running call's progress update: spoken as an aside once nothing else speaks."""
        work = self.batches.work.get(work_id)
        if work is None or work.finished:
            return []
        return [*self.fillers.progress(work_id, work.response_id, text), *self.maybe_aside()]

    def timer_fired(self, key: str) -> list[Decision]:
        """A ``StartTimer`` of ours fired: our aside's request given up if still unanswered,
        or a batch's filler, if a call of it still runs, or the wait after a refusal."""
        if key.startswith(_UNSEEN_KEY):  # a wait over already, or not the last, is nothing
            ends = self._active == _UNSEEN and key == self._waiting
            self._active = None if ends else self._active
            return (self.maybe_ask() or self.maybe_aside()) if ends else []
        if self.fillers.expired(key):
            message = "a spoken aside got no answer from the server: given up"
            return [Emit(SessionWarning(message)), *(self.maybe_ask() or self.maybe_aside())]
        batch = self.batches.batches.get(key.partition(":")[2])
        running = tuple(sorted(batch.pending)) if batch is not None else ()
        return self.maybe_aside() if self.fillers.due(key, running) else []

    def maybe_aside(self) -> list[Decision]:  # (a progress update or filler held, if due)
        busy = self._in_flight is not None or self._active is not None
        if not self.link.up or busy or self.batches.user_turn:  # (never over the user)
            return []
        return self.fillers.release(self.next_ref, self.batches.running)

    # -- the connection ------------------------------------------------------------------------

    def link_event(self, event: LinkInput) -> tuple[LinkEffect, ...]:
        """A change of the connection (see ``states.LINK_TABLE``), with its bookkeeping."""
        effects = self.link.apply(event)
        if LinkEffect.FORGET in effects:
            # Every response on the connection is over, whatever it said last; what they had
            # not answered waits for the next connection.
            self._active = self._in_flight = self._stale = None
            self._ask.apply(AskInput.DROPPED)
            self.batches.disconnected()
            self.fillers.disconnected()
            self.journal.reconnected()
        return effects

    def owed(self) -> list[Decision]:
        """The new connection has the conversation back: ask for what is still owed (the
        app's own request, or the answer to outputs no response finished answering)."""
        owed = LinkEffect.ASK_OWED in self.link_event(LinkInput.REPLAYED)
        return (self.maybe_ask() if owed else []) or self.maybe_aside()

    # -- internals ------------------------------------------------------------------------------

    def _produced(self, response_id: str | None) -> None:
        if response_id is not None and response_id == self._ask.response_id:
            self._ask.apply(AskInput.OUTPUT)  # answered: from here, its batch goes on

    def _answered(self, response_id: str | None) -> None:
        self._produced(response_id)
        self.batches.answered(response_id)

    def _finish(self, work_id: str, ref: str, *, wants_reply: bool) -> list[Decision]:
        self.batches.finish(work_id, ref, wants_reply=wants_reply)
        return self.maybe_ask()

    def maybe_ask(self) -> list[Decision]:
        if not self.link.up:
            return []  # the next connection asks, once it has the conversation back
        if self._in_flight is not None or self._active is not None or self.fillers.busy:
            return []  # (the answer waits for our aside's end: it is not spoken over it)
        if self._ask.state is Asked.HELD:
            ref = self._in_flight = self._ask.ref = self.next_ref()
            self._ask.apply(AskInput.SEND)
            return [AskResponse(ref, self._ask.params)]
        call_ids = self.batches.owed()
        if not call_ids:
            return []
        ref = self._in_flight = self.next_ref()
        self.batches.asked(ref, call_ids)
        return [AskResponse(ref, None, call_ids)]
