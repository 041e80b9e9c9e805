"""The batches: what a session owes the model, sans I/O. The work each response asked for
(its calls and approval requests), and the outputs waiting to be seen and answered by a
response.

The orchestrator decides when to ask for a response; ``Batches`` keeps the accounts it
decides from, and forgets what can no longer matter, so that memory stays flat over a long
session. (The journal, beside it, keeps the conversation's items for a replay: what the
model has heard, not what it owes.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, KeysView
from dataclasses import dataclass, field

from .._latest import keep_latest

UNCONFIRMED = (
    "the server never confirmed the output of %s on this connection (it may have had it "
    "already, or refused it): the model was asked to answer once, and is asked again only "
    "if the server confirms it later"
)
"""The warning for what ``Batches.unconfirmed`` gave up."""
_COLLECT_PAST = 8
"""Work kept before what is finished is forgotten: memory stays flat, and the scan of it
runs once in many turns, not on each. Past it, the next scan waits until the work kept has
doubled, so that thousands of calls in flight cost amortised constant time each, not a scan
each."""


_OVER_KEPT = 16
"""Responses remembered as over after their batch is forgotten: a call a server announces
after its response's end comes right after it, never many responses later."""


@dataclass
class Batch:
    """The work one response asked for: its calls and approval requests."""

    done: bool = False
    pending: set[str] = field(default_factory=set)  # wants a reply, no output yet
    unseen: set[str] = field(default_factory=set)  # output sent, no response has seen it
    seen_by: dict[str, str] = field(default_factory=dict)  # output -> the response answering
    held: bool = False  # a barge-in cut it: its outputs wait for the next response, not ours


@dataclass(slots=True)
class Work:
    response_id: str
    wants_reply: bool
    cancel_on_interrupt: bool = False
    finished: bool = False
    call_id: str | None = None  # the wire call_id, when the work id differs (a duplicate)


class Batches:
    """Batches by response id, work by work id, and which of our outputs the server has."""

    # Scalars are class attributes until set (performance.md, "Density"): an idle
    # session's batches keep none of them.
    _duplicates = False  # some work answers a reused call id (see Work.call_id)
    _collect_at = _COLLECT_PAST
    # Our request in flight: (its ref, or "response:<id>" of the response that answers
    # it), the outputs it asks to answer, its ref; None once that response is over.
    _asked: tuple[str, tuple[str, ...], str] | None = None
    # Outputs given up on this connection (see ``unconfirmed``), by the response whose
    # batch they are of: a confirmation that comes late owes them again.
    _given_up: dict[str, str] | None = None
    _before: tuple[str, tuple[str, ...]] | None = None  # see ``disconnected``
    user_turn = False  # the user holds the turn: see ``user_speaks``
    # What the server had at the last drop (confirmed, or seen by a response it cut):
    # an attached session, whose conversation stayed on the server, still has it.
    _had: dict[str, None] | None = None
    _begun: dict[str, None] | None = None  # the last responses begun (see ``over``)
    sees: Callable[[str, str], bool | None] | None = None
    """Whether a response (its id first) has the outputs of a batch (its response's id) in
    its context: ``True`` for certain, ``False`` not, ``None`` not known (taken to have
    them). Unset, every response has all (one conversation: the Realtime API). On GPT-Live
    a response that goes on with a delegation has that delegation's outputs only: another
    delegation's wait for a request of their own."""

    def __init__(self) -> None:
        self.batches: dict[str, Batch] = {}
        self.work: dict[str, Work] = {}
        # Our outputs the server has added: a set, as a dict (untracked by the collector).
        self._confirmed: dict[str, None] = {}
        self.output_events: dict[str, str] = {}  # event_id of an output -> its work id
        # The last responses that ended (a dict as a bounded ordered set): work one of them
        # announces late (after its done) is of a batch done already.
        self._over: dict[str, None] = {}
        self.notes: dict[str, str] = {}  # a background result's work id -> its call's id
        # Active responses an input guardrail stopped (see ``block``), and why.
        self.blocked: dict[str, str] = {}

    def batch(self, response_id: str) -> Batch:
        batch = self.batches.get(response_id)
        if batch is None:
            batch = self.batches[response_id] = Batch()
        return batch

    def start(self, work_id: str, work: Work, *, wants_reply: bool) -> str | None:
        """Keep ``work``; if its response is blocked (see ``block``), it wants no reply, and
        the reason is returned: the caller cancels it."""
        self.work[work_id] = work
        if work.call_id is not None:
            self._duplicates = True
        if self.blocked and work.response_id in self.blocked:
            work.wants_reply = False
            return self.blocked[work.response_id]
        if wants_reply:
            batch = self.batch(work.response_id)
            batch.pending.add(work_id)
            batch.done = batch.done or work.response_id in self._over
        return None

    def user_speaks(self) -> None:
        """The user took the turn (the server heard their speech start): nothing is owed
        until it is over (``turn_over``: their speech stopped, or its buffer was committed or
        cleared) or a response begins (the one their turn brings sees every output: ours
        would talk over them, and theirs would find one active)."""
        self.user_turn = True

    def interruptible(self) -> list[str]:
        """The unfinished work that stops on interruption (a barge-in cancels it)."""
        return [
            w for w, work in self.work.items() if work.cancel_on_interrupt and not work.finished
        ]

    def turn_over(self) -> None:
        """The user's turn is over: what is owed may be asked for."""
        self.user_turn = False

    def running(self, work_id: str) -> bool:
        """Whether ``work_id`` was started and has no output yet."""
        work = self.work.get(work_id)
        return work is not None and not work.finished

    def ended(self, response_id: str) -> bool:
        """``response_id`` is done: its batch is complete (it announces nothing more, so a
        block of it is over). True while work of it wants a reply and has none."""
        if self.blocked:
            self.blocked.pop(response_id, None)
        batch = self.batch(response_id)
        batch.done = True
        keep_latest(self._over, response_id, None, _OVER_KEPT)
        return bool(batch.pending)

    def over(self, response_id: str | None, *, begun: bool = True) -> bool:
        """Whether ``response_id`` is among the last responses that ended; with ``begun``,
        where responses of several run at once (``sees`` set: GPT-Live), or that began (its
        end is no response begun unseen)."""
        if response_id in self._over:
            return True
        return begun and self.sees is not None and response_id in (self._begun or ())

    def reopened(self, response_id: str) -> None:
        """A response a drop ended for us goes on, on the next connection: its batch is
        complete at its end, not before (its calls are asked for once, then)."""
        batch = self.batches.get(response_id)
        if batch is not None:
            batch.done = False

    def block(self, response_id: str, reason: str, *, active: bool) -> list[str]:
        """An input guardrail stopped the turn ``response_id`` answers: its batch is never
        asked for (the outputs it has are owed no more; those to come want no reply), and
        its unfinished work is returned, to cancel. While it is ``active``, work it announces
        later is blocked as it starts (``start``)."""
        if active:
            self.blocked[response_id] = reason
        batch = self.batches.get(response_id)
        if batch is not None:
            batch.unseen.clear()
            batch.seen_by.clear()  # a drop must not owe them again
        unfinished = [
            (work_id, work)
            for work_id, work in self.work.items()
            if work.response_id == response_id and not work.finished
        ]
        for _, work in unfinished:
            # Also what is answered already, its output not yet sent (a call given up at its
            # deadline), and an approval still being decided: neither asks for a response.
            work.wants_reply = False
        return [work_id for work_id, _ in unfinished]

    @property
    def confirmed(self) -> KeysView[str]:
        """Our outputs the server has added (since the last response started)."""
        return self._confirmed.keys()

    def confirm_output(self, wire_call_id: str) -> None:
        """The server added our output for ``wire_call_id`` (a duplicate's work id differs)."""
        self._owe_again(wire_call_id)
        work = self.work.get(wire_call_id)
        if work is not None and work.call_id is None:
            self._confirmed[wire_call_id] = None
        if self._duplicates:  # rare (a server reusing call ids): worth a scan
            self._confirmed.update(
                dict.fromkeys(w for w, x in self.work.items() if x.call_id == wire_call_id)
            )

    def confirm(self, work_id: str) -> None:
        self._owe_again(work_id)
        if work_id in self.work:
            self._confirmed[work_id] = None

    def sent_again(self, items: Iterable[object]) -> None:
        """``items`` go again to a server that kept the conversation (an attached session):
        it has each of ours once they are sent, since a copy it had is refused with no
        confirmation. What they answer is confirmed now, as is what the server had at the
        drop (not sent again), and each is asked to be answered as usual."""
        had, self._had = self._had, None
        self._confirmed.update(had or ())
        for item in items:
            kind = getattr(item, "type", None)
            if kind == "function_call_output":
                self.confirm_output(getattr(item, "call_id", ""))
            elif kind == "mcp_approval_response":
                self.confirm(getattr(item, "approval_request_id", ""))

    def unanswered(self) -> list[str]:
        """The wire ids of outputs sent that no response answered: not seen by one, seen by
        one that never ended, or given up on (see ``unconfirmed``)."""
        left = {w for b in self.batches.values() for w in (*b.unseen, *b.seen_by)}
        left.update(self._given_up or ())
        notes, work = self.notes, self.work
        return sorted({notes.get(w) or (work[w].call_id if w in work else None) or w for w in left})

    def _owe_again(self, work_id: str) -> None:
        """An output given up on this connection, confirmed after all: owed again (its
        batch's response is over, as it was when the output was asked for)."""
        if self._given_up and work_id in self._given_up:
            batch = self.batch(self._given_up.pop(work_id))
            batch.done = True
            batch.unseen.add(work_id)

    def finish(self, work_id: str, event_id: str, *, wants_reply: bool) -> None:
        """``work_id`` has its output (sent with ``event_id``)."""
        work = self.work[work_id]
        work.finished = True
        batch = self.batch(work.response_id)
        batch.pending.discard(work_id)
        if wants_reply:
            batch.unseen.add(work_id)
            self.output_events[event_id] = work_id

    def seen(self, response_id: str) -> None:
        """A response started: every output the server has added is in its context, and
        counts as answered once that response is done (a drop before that owes it again).
        With ``sees`` set, only those of the batches it says: see there."""
        self.user_turn = False
        if self.sees is not None:  # (see ``over``)
            if self._begun is None:
                self._begun = {}
            keep_latest(self._begun, response_id, None, _OVER_KEPT)
        confirmed, left, sees = self._confirmed, dict[str, None](), self.sees
        for rid, batch in self.batches.items():
            batch.held = False  # (a response came: what it did not see is owed again)
            if sees is not None and sees(response_id, rid) is False:
                left.update(dict.fromkeys(batch.unseen.intersection(confirmed)))
                continue
            for work_id in batch.unseen.intersection(confirmed):
                batch.seen_by[work_id] = response_id
            batch.unseen.difference_update(confirmed)
        self._confirmed = left

    def answered(self, response_id: str | None) -> None:
        for batch in self.batches.values():
            if batch.seen_by:
                for work_id in [w for w, rid in batch.seen_by.items() if rid == response_id]:
                    del batch.seen_by[work_id]

    def rejected(self, event_id: str | None) -> str | None:
        """The server refused an output: it no longer waits for an answer. Its work id."""
        work_id = self.output_events.pop(event_id or "", None)
        if work_id is not None:
            for batch in self.batches.values():
                batch.unseen.discard(work_id)
        return work_id

    def asked(self, ref: str, work_ids: tuple[str, ...]) -> None:
        """We asked for a response to answer these outputs (the request ``ref``)."""
        self._asked = (ref, work_ids, ref)

    def named(self, ref: str, response_id: str) -> None:
        """An event of ``response_id`` names our request ``ref``, sent before the last drop:
        that response answers what the request asked for (the server had it), whose
        outputs are not owed again once it is done."""
        before = self._before
        if before is None or before[0] != ref:
            return
        self._before = None
        sees = self.sees
        for rid, batch in self.batches.items():
            if sees is not None and sees(response_id, rid) is False:
                continue  # (another delegation's: owed again, see ``sees``)
            for work_id in batch.unseen.intersection(before[1]):
                batch.seen_by[work_id] = response_id
            batch.unseen.difference_update(before[1])

    def answering(self, ref: str | None, response_id: str | None) -> None:
        """A response started while our request ``ref`` was in flight: it answers it."""
        if self._asked is not None and self._asked[0] == ref:
            self._asked = (f"response:{response_id}", self._asked[1], ref)

    def not_answering(self, ref: str | None) -> None:
        """The server refused our request ``ref`` as busy: the response taken for its answer
        (whichever runs now) is not its answer. The outputs it asked for are owed again, as
        the server's (the next response asked for sees them), but those that response has
        for certain (``sees``). Only where a response's context need not hold our outputs
        (GPT-Live: another delegation's); on the Realtime API, one conversation, it saw
        them, and does answer them."""
        asked = self._asked
        if asked is None or ref is None or asked[2] != ref:
            return
        taken = asked[0].removeprefix("response:")
        if taken == asked[0]:
            return  # (no response was taken for its answer)
        self._asked = (ref, asked[1], ref)
        sees = self.sees
        for rid, batch in self.batches.items():
            if sees is not None and sees(taken, rid):
                continue  # (it has them for certain: it goes on with their delegation)
            for work_id in [w for w in asked[1] if batch.seen_by.get(w) == taken]:
                del batch.seen_by[work_id]
                batch.unseen.add(work_id)
                self._confirmed[work_id] = None

    def unconfirmed(self, response_id: str | None) -> tuple[str, ...]:
        """The response that answered our request is over: the outputs it asked for that
        are still unseen (the server never confirmed them on this connection: it had them
        already, refused them, or the journal could not give them back) are given up, and
        returned. One request per output on a connection, however the server treats it."""
        if self._asked is None or self._asked[0] != f"response:{response_id}":
            return ()
        work_ids, self._asked = self._asked[1], None
        # One the server confirmed while that response ran (a race with a response it made
        # itself) is seen by the next response, as ever.
        stuck = tuple(
            w
            for w in work_ids
            if w not in self._confirmed and any(w in b.unseen for b in self.batches.values())
        )
        given_up = self._given_up = self._given_up or {}
        for rid, batch in self.batches.items():
            given_up.update((w, rid) for w in batch.unseen.intersection(stuck))
            batch.unseen.difference_update(stuck)
        return stuck

    def give_up(self) -> None:
        """A ``response.create`` failed for good: nothing waits for an answer any more."""
        for batch in self.batches.values():
            batch.unseen.clear()

    def owed(self) -> tuple[str, ...]:
        """The outputs of every finished batch not yet seen by a response (and forgets what
        can no longer matter)."""
        ready = [
            b for b in self.batches.values() if b.done and not b.pending and b.unseen and not b.held
        ]
        self._collect()
        if not ready or self.user_turn:
            return ()
        return tuple(sorted(set().union(*(b.unseen for b in ready))))

    def disconnected(self) -> None:
        """Every response of the connection is over: what they had not answered is owed."""
        self.user_turn = False
        had = self._confirmed
        for batch in self.batches.values():
            batch.done, batch.held = True, False  # (the new connection answers them)
            had.update(dict.fromkeys(batch.seen_by))
            batch.unseen |= set(batch.seen_by)
            batch.seen_by.clear()
        self._had, self._confirmed = had or None, {}
        self.output_events.clear()
        # The request asked last: a response the next connection says answers it (GPT-Live's
        # events name it) answers what it asked for (see ``named``).
        self._before = (self._asked[2], self._asked[1]) if self._asked else None
        self._asked = self._given_up = None  # the next connection asks once again
        self.blocked.clear()  # (its responses are over)

    def _collect(self) -> None:
        """Forget finished batches at once (each turn scans them), and finished work in bulk
        once there is more than a little of it."""
        for rid in [
            rid
            for rid, b in self.batches.items()
            if b.done and not b.pending and not b.unseen and not b.seen_by
        ]:
            del self.batches[rid]
        if len(self.work) <= self._collect_at:
            return
        live = {w for b in self.batches.values() for w in b.pending | b.unseen | set(b.seen_by)}
        for wid in [wid for wid, w in self.work.items() if w.finished and wid not in live]:
            del self.work[wid]
            self.notes.pop(wid, None)
        if len(self.output_events) > 256:
            self.output_events = {e: w for e, w in self.output_events.items() if w in live}
        self._collect_at = max(_COLLECT_PAST, 2 * len(self.work))
