"""How the orchestrator's decisions go on GPT-Live's wire: one function per decision that
becomes a client event, in one table (the Realtime API's is ``realtime_out``).

A delegated batch's outputs and approval answers are each a ``response.item.create``; the
batch's answer is one ``response.create``, sent once every call of the delegated response
has its output (the server refuses a partial batch: the orchestrator never asks before).

``Held`` keeps the outputs the server is not known to have (until it is known to have read a
request of ours sent after them), for a connection that attaches to the same Live session
after a drop: the server keeps what reached it, and refuses a second copy ("already has an
output"), so each is sent again and a refusal is a warning.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, cast

from .._latest import keep_latest
from ..protocol import live as lp
from .actions import (
    Action,
    AskResponse,
    Emit,
    Encoded,
    RequestFailed,
    Send,
    SendAnswer,
    SendNote,
    SendOutput,
)
from .events import ResponseRequested, SessionWarning
from .journal_items import kept_output

log = logging.getLogger("rtagents.session")


def _send_output(d: SendOutput) -> list[Action]:
    frame = lp.encode_live_function_output(d.ref, d.call_id, d.output)
    # The item id is not sent (GPT-Live's items carry none): it is the journal's key, and
    # the one a reused call id's answer has of its own.
    return [Send(Encoded(frame, "response.item.create", d.ref, d.call_id, d.output, d.item_id))]


def _ask_response(decision: AskResponse) -> list[Action]:
    # Only a batch asks on GPT-Live: the app's own request raises before it gets here.
    ref = decision.ref
    create = Encoded(lp.encode_live_response_create(ref), "response.create", ref)
    if decision.call_ids:
        return [Send(create), Emit(ResponseRequested(decision.call_ids))]
    return [Send(create)]


def _send_answer(decision: SendAnswer) -> list[Action]:
    item = lp.McpApprovalResponse(approval_request_id=decision.request_id, approve=decision.approve)
    if decision.reason:
        item.reason = decision.reason
    return [Send(lp.ResponseItemCreate(event_id=decision.ref, item=item))]


def _send_note(decision: SendNote) -> list[Action]:
    # GPT-Live's way to give the model something to tell the user: commentary (general,
    # as Responses delegation takes no delegation id), which the model says itself.
    text, cut = fitted(decision.text, "a background result")
    note = lp.CommentaryAppend(event_id=decision.ref, content=text, delegation_id=None)
    return [*cut, Send(note)]


def whole_note(text: str) -> str:
    """The app's own commentary or thinking, refused here if GPT-Live would refuse it whole
    (the app, not a warning, should know: a delegation it answers would wait for ever)."""
    if isinstance(text, str) and lp.fit_note(text) is not None:
        raise ValueError(
            f"past the {lp.NOTE_TOKENS} tokens one GPT-Live append holds ({len(text):,} "
            "characters, counted so as to err short: about 1,400 of English): send it in "
            "parts, or shorter"
        )
    return text  # (a non-str is said by the core's model)


def fitted(text: str, what: str) -> tuple[str, list[Action]]:
    """``text`` as one note may hold it: cut to fit, with a warning saying so (the server
    refuses a longer one whole, and the model would hear none of it)."""
    cut = lp.fit_note(text)
    if cut is None:
        return text, []
    said = (
        f"{what} was cut to fit GPT-Live's {lp.NOTE_TOKENS} tokens a note "
        f"({len(text):,} characters, {len(cut):,} sent)"
    )
    return cut, [Emit(SessionWarning(said))]


def _request_failed(decision: RequestFailed) -> list[Action]:
    return [Emit(SessionWarning.response_refused(decision.message, decision.code))]


_NOTES_KEPT = 1024
"""Notes held until the server acknowledges them, at most: every one is owed (a background
result the model must hear), so the bound is for a server that acknowledges none, and a
note let go past it is logged."""
_ASKS_KEPT = 16
"""Requests of ours kept until the server is known to have read them, at most: an older one
goes, and what it had stays held (a later request had it too)."""


class Held:
    """Our outputs and approval answers the server is not known to have, by the call (or
    approval request) they answer: what is sent again after a drop.

    GPT-Live acknowledges none of them, but it reads in order: once it has read one of our
    ``response.create``s, it has everything we sent before that. A server event that names
    the request (``client_event_id``: a response it started, or a refusal) shows it read it.
    A server that has never named one in a response is taken to have read a request once a
    response it began after that request ends (or one whose end gives no id)."""

    def __init__(self) -> None:
        self._items: dict[str, lp.ResponseItemCreate | Encoded] = {}
        # Our requests not known to be read, oldest first: what was sent before each, and
        # (until the server names requests) the responses begun since.
        self._asks: dict[str, tuple[set[str], set[str]]] = {}
        self._named = False  # whether the server names requests in their responses
        self.resent: set[str] = set()
        """The event ids sent again on an attached connection (a refusal is a warning)."""
        self._noting: set[str] = set()  # refs of notes to hold (see noted), before they go out
        self._notes: dict[
            str, lp.CommentaryAppend | lp.ThinkingAppend
        ] = {}  # sent, not acknowledged yet
        # Every note sent and not acknowledged, held or not (a tool's progress is not), in
        # order: an acknowledgement that names none is of the oldest of its kind among them.
        self._unheard: list[tuple[str, str | None]] = []  # (its type, its event id)

    def sent(self, key: str, event: lp.ResponseItemCreate | Encoded) -> None:
        """Our output (``key``: its item id) or answer to an approval request (``key``: the
        request's id) went out."""
        if type(event) is Encoded:  # its frame holds the output: no second copy is kept
            event = Encoded(event.text, event.type, event.event_id, event.call_id, None)
        self._items[key] = event

    def asked(self, ref: str) -> None:
        """Our ``response.create`` (event id ``ref``) went out."""
        asks = self._asks
        keep_latest(asks, ref, (set(self._items), set()), _ASKS_KEPT)

    def refused(self, ref: str | None) -> None:
        """The server refused our event ``ref``: it read it (a request of ours: everything
        before it), and a background result's commentary it refused is not sent again."""
        self.read(ref)
        self._notes.pop(ref or "", None)
        self._noting.discard(ref or "")
        self._unheard = [note for note in self._unheard if note[1] != ref or ref is None]

    def read(self, ref: str | None) -> None:
        """A server event names our event ``ref``: if it is one of our requests, the server
        had everything sent before it (and before the requests before it)."""
        asks = self._asks
        if ref is None or ref not in asks:
            return
        while asks:
            done = next(iter(asks))
            had, _ = asks.pop(done)
            for key in had:
                self._items.pop(key, None)
            if done == ref:
                return

    def response_event(self, ref: str | None, rid: str | None, begins: bool, ends: bool) -> None:
        """An event of the delegated response ``rid`` (``ref``: the request it names, if
        any), which may be its start or its end."""
        if ref is not None:
            self._named = True
            self.read(ref)
            return
        if self._named or not self._asks:
            return
        if begins and rid is not None:
            for _, began in self._asks.values():
                if len(began) < _ASKS_KEPT:  # (past that, the request waits for a later one)
                    began.add(rid)
        if ends:  # the newest request it began after (an end may be all it sends)
            after = [r for r, (_, began) in self._asks.items() if rid is None or rid in began]
            if after:
                self.read(after[-1])

    def noting(self, ref: str) -> None:
        """``ref`` is a note to hold: the app's commentary or thinking (an ``on_delegation``
        answer among them), or a background result's commentary (see ``SendNote``)."""
        self._noting.add(ref)

    def noted(self, event: lp.CommentaryAppend | lp.ThinkingAppend) -> None:
        """Commentary or thinking went out: the app's, or a background result's, is held
        until the server has it."""
        if len(self._unheard) >= _NOTES_KEPT:  # (a server that acknowledges none)
            del self._unheard[0]
        self._unheard.append((event.type, event.event_id))
        if event.event_id in self._noting:
            self._noting.discard(event.event_id)
            if len(self._notes) >= _NOTES_KEPT:  # (a server that acknowledges none of them)
                lost = self._notes.pop(next(iter(self._notes)))
                log.warning("a %s never acknowledged let go unsent: %s", lost.type, lost.event_id)
            self._notes[event.event_id] = event

    def heard(self, event: Any) -> lp.CommentaryAppend | lp.ThinkingAppend | None:
        """``session.commentary.appended`` or ``session.thinking.appended``: the server has
        the note it names (returned, if held); one that names none, the oldest of its kind
        sent, held or not (the server appends them in order)."""
        ref, kind = event.client_event_id, event.type.removesuffix("ed")  # (the note's type)
        unheard = self._unheard
        at = next(
            (i for i, (k, r) in enumerate(unheard) if (r == ref if ref else k == kind)),
            None,
        )
        if at is not None:
            ref = unheard.pop(at)[1]
        return self._notes.pop(ref or "", None)

    def notes_again(self) -> list[lp.CommentaryAppend | lp.ThinkingAppend]:
        """The notes the server never acknowledged, to send again (and counted as sent
        again: those not held are not)."""
        self._unheard = []
        return list(self._notes.values())

    def again(self) -> list[lp.ResponseItemCreate | Encoded]:
        """Every held item, to send again on a connection attached to the same session (the
        requests sent before stay: the server may still name one)."""
        self.resent = {e.event_id for e in self._items.values() if e.event_id}
        return list(self._items.values())


def item_of(event: lp.ResponseItemCreate | Encoded) -> Any:
    """The item a held event creates, as far as ``Batches.sent_again`` reads it (of an
    output built as a frame, its call)."""
    if type(event) is Encoded:
        return kept_output(event.call_id or "", "")
    return cast(lp.ResponseItemCreate, event).item


OUT: dict[type, Callable[[Any], list[Action]]] = {
    SendOutput: _send_output,
    AskResponse: _ask_response,
    SendAnswer: _send_answer,
    RequestFailed: _request_failed,
    SendNote: _send_note,
}
"""How each orchestrator decision goes on GPT-Live's wire; any other passes as it is."""
