"""The conversation's journal, sans I/O: what a new Realtime session is given back after a
reconnect, so that the conversation goes on where it was.

It keeps what the conversation holds, as items a client may create: user and assistant
messages as text (input transcripts, output transcripts as far as they were heard), function
calls with their arguments and outputs, and hosted MCP calls, approval requests and answers.
Audio itself is not kept; its transcript is. It is bounded, by items and by tokens (about four
characters each): past either bound, the oldest items go first, a function call together with
its output (a call counts as old from when it was answered). A call or approval request still
waiting for its answer goes last, only when nothing else is left to let go: it is then
*forgotten*, the oldest first. The live session still answers it; a new session is not given
it back, nor its output when that comes (a server refuses an output whose call it does not
have). Keeping within the bounds costs amortised constant time an item, whatever waits.

Each item is kept as its JSON text and a few atomic values, in a plain tuple the garbage
collector does not track: a long conversation (or thousands in one process) costs a full
collection nothing. An item is decoded again only when given back (``replay``, ``items``).
The accounts themselves, and the writes applied to them, are ``journal_accounts``.

Writes are applied later, in order: what happened is noted (a tuple) and applied at the next
``settle`` (the session settles once the frames it has are read and answered) or the next
read, whichever comes first. Every read sees every write before it; what the journal costs
a turn is paid after the turn's client events are sent, not before (``docs/performance.md``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from ..protocol.items import McpApprovalRequest, McpApprovalResponse, McpCall
from .events import SessionWarning
from .journal_accounts import Accounts
from .journal_items import CONFIRMED, EMPTY, FLAGS, OURS, Entry, decode_entry

log = logging.getLogger("rtagents.session")

DEFAULT_MAX_ITEMS = 400
DEFAULT_MAX_TOKENS = 16_000
_MOST_NOTED = 256
"""Writes noted before they are applied at once, whatever else happens."""
_APPLYING = threading.Lock()
"""Held to note a write, and to apply the writes noted: a thread that reads (a sync tool's
``ctx.session.history``) applies them too, never alongside the loop. One for every journal:
a lock is an object the collector tracks, and all but such reads happen on one thread."""


class Journal(Accounts):
    """The items of one conversation, in order, by item id: writes noted, applied in order
    (by ``Accounts``' own methods) before any read."""

    # Writes noted, not applied yet (see the module's doc), as (unbound method, its
    # arguments): no bound method holds the journal meanwhile. None while there are none.
    # (Class attributes until set, as in ``Accounts``.)
    _later: list[tuple[Callable[..., None], tuple[Any, ...]]] | None = None
    # Waiting calls let go, as far as told; whether told on this connection.
    _forgotten_seen = 0
    _forgetting_told = False

    def __init__(
        self, *, max_items: int = DEFAULT_MAX_ITEMS, max_tokens: int = DEFAULT_MAX_TOKENS
    ) -> None:
        super().__init__(max_items=max_items, max_tokens=max_tokens)

    def __len__(self) -> int:
        with _APPLYING:
            self._apply()
            return len(self._entries)

    @property
    def dropped(self) -> int:
        """Items let go to keep within the bounds."""
        self.settle()
        return self._dropped

    @property
    def forgotten(self) -> int:
        """Of those, calls and approval requests let go while they waited for their answer."""
        self.settle()
        return self._forgotten_count

    def news(self) -> SessionWarning | None:
        """What the app is told when calls still waiting for their outputs went past the
        bound: once a connection (see ``reconnected``), not once a call."""
        forgotten, bound = self.forgotten, self.max_items
        if forgotten <= self._forgotten_seen:
            return None  # on the path of every burst: nothing made
        self._forgotten_seen = forgotten
        told, self._forgetting_told = self._forgetting_told, True
        if told:
            return None
        return SessionWarning(
            f"{forgotten} calls still waiting for their outputs went past the journal's "
            f"bound ({bound} items): the live session still answers them, but after a "
            "reconnect they will not be given back",
            {"forgotten": forgotten, "max_items": bound},
        )

    def reconnected(self) -> None:
        """A new connection: calls let go from here on are told again."""
        self._forgetting_told = False

    def settle(self) -> Sequence[Exception]:
        """Apply the writes noted so far, in order; what failed (a bug of ours: that write
        is lost, the others are applied)."""
        if not self._later:
            return ()
        with _APPLYING:
            return self._apply()

    def _apply(self) -> list[Exception]:
        failed: list[Exception] = []
        while self._later:
            later, self._later = self._later, None
            for write, args in later:
                try:
                    write(self, *args)
                except Exception as exc:
                    log.exception("the journal failed to apply %s", write.__name__)
                    failed.append(exc)
        return failed

    def _settled(self) -> list[tuple[str, Entry]]:
        """Every entry, with every write before applied: a read's view, whatever thread
        reads (a sync tool's ``ctx.session.history``) while the loop writes."""
        with _APPLYING:
            self._apply()
            return list(self._entries.items())

    def _note(self, write: Callable[..., None], *args: Any) -> None:
        with _APPLYING:
            later = self._later
            if later is None:
                later = self._later = []
            later.append((write, args))
            if len(later) >= _MOST_NOTED:  # a session that is only written to stays bounded
                self._apply()

    # -- what happened -------------------------------------------------------------------------

    def sent(self, item: Any) -> None:
        """We created ``item`` (it carries its own id)."""
        self._note(Accounts.sent, item)

    def sent_as(self, make: Callable[..., Any], *args: Any) -> None:
        """We created the item ``make(*args)`` makes: made when the write is applied, so
        that a send pays for noting it only (GPT-Live's answers, kept as Realtime items)."""
        self._note(Accounts.sent_as, make, *args)

    def heard(self, item: Any) -> None:
        """The server's item is done (a message, a call, a hosted MCP item)."""
        self._note(Accounts.heard, item)

    def called(self, call_id: str, name: str, arguments: str, item_id: str | None) -> None:
        """A function call started (journaled then: its response may never finish)."""
        self._note(Accounts.called, call_id, name, arguments, item_id)

    def output_sent(self, call_id: str, output: str, item_id: str | None = None) -> None:
        """Our output for ``call_id`` went out (``item_id``: the one it was sent with)."""
        self._note(Accounts.output_sent, call_id, output, item_id)

    def streaming(self, item_id: str, delta: str) -> None:
        """More of an assistant message's text (or audio transcript) arrived."""
        self._note(Accounts.streaming, item_id, delta)

    def placed(self, item_id: str) -> None:
        """An answer or a call was added to the server's conversation (``output_item.added``):
        its place is kept from now, whatever comes before its first words."""
        self._note(Accounts.placed, item_id)

    def added(self, item_id: str | None) -> None:
        """``conversation.item.added``: the server has this item."""
        self._note(Accounts.added, item_id)

    def transcribed(self, item_id: str, transcript: str) -> None:
        """An input transcript arrived: the user's audio turn, as text."""
        self._note(Accounts.transcribed, item_id, transcript)

    def truncated(self, item_id: str, heard: float) -> None:
        """The user heard only the first ``heard`` (0 to 1) of an assistant message."""
        self._note(Accounts.truncated, item_id, heard)

    def deleted(self, item_id: str) -> None:
        """The server deleted the item."""
        self._note(Accounts.deleted, item_id)

    def cut_off(self) -> None:
        """The connection dropped: what was still streaming is lost (see ``Accounts``)."""
        self._note(Accounts.cut_off)

    # -- what a new connection is given ---------------------------------------------------------

    def replay(self, *, sideband: bool = False) -> list[Any]:
        """The items to create, in order. A new session gets them all; a sideband session,
        whose conversation stayed on the server, gets only ours it may have missed: what the
        server confirmed (on any connection) it still has, and is not sent again."""
        if not sideband:
            return _unspent(self.items())
        return [
            decode_entry(k, e) for k, e in self._settled() if e[FLAGS] & (OURS | CONFIRMED) == OURS
        ]

    def items(self) -> list[Any]:
        """The conversation as text, in order (``session.history``)."""
        return [decode_entry(k, e) for k, e in self._settled() if not e[FLAGS] & EMPTY]


def _unspent(items: list[Any]) -> list[Any]:
    """``items`` less the hosted approvals a call has spent: a request and our answer to it,
    given to a new session, are a new approval there, and the server would run the tool again
    (the call that ran is replayed as it ran). An approval no call used yet is kept."""
    spent = {i.approval_request_id for i in items if isinstance(i, McpCall)}
    spent.discard(None)
    if not spent:
        return items
    return [
        i
        for i in items
        if not (isinstance(i, McpApprovalRequest) and i.id in spent)
        and not (isinstance(i, McpApprovalResponse) and i.approval_request_id in spent)
    ]
