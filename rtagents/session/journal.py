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

Writes are applied later, in order: what happened is noted (a tuple) and applied at the next
``settle`` (the session settles once the frames it has are read and answered) or the next
read, whichever comes first. Every read sees every write before it; what the journal costs
a turn is paid after the turn's client events are sent, not before (``docs/performance.md``).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

from .. import protocol as p
from ..protocol.packing import pack
from .journal_items import (
    ANSWER,
    CALL,
    FLAGS,
    KIND,
    MESSAGES,
    OUTPUT,
    REF,
    REQUEST,
    SAID,
    TEXT,
    TOKENS,
    Entry,
    as_text,
    assistant_text,
    call_item_id,
    decode_entry,
    kind_of,
    placeholder,
    tokens_of,
)

log = logging.getLogger("rtagents.session")

DEFAULT_MAX_ITEMS = 400
DEFAULT_MAX_TOKENS = 16_000
_MOST_NOTED = 256
"""Writes noted before they are applied at once, whatever else happens."""


# Flags: we created it (the server's copy may be missing after a drop); the server said it has
# it (``conversation.item.added``); cut where the user stopped hearing (its text stays cut);
# a place kept with no text yet, or none left (not shown, not replayed).
_OURS, _CONFIRMED, _CUT, _EMPTY = 1, 2, 4, 8


class Journal:
    """The items of one conversation, in order, by item id."""

    def __init__(
        self, *, max_items: int = DEFAULT_MAX_ITEMS, max_tokens: int = DEFAULT_MAX_TOKENS
    ) -> None:
        if max_items < 1 or max_tokens < 1:
            raise ValueError("the journal needs room for at least one item and one token")
        self.max_items = max_items
        self.max_tokens = max_tokens
        # In the order they came; only atomic values, so untracked by the collector.
        self._entries: dict[str, Entry] = {}
        self._tokens = 0
        # What answers what, so that trimming never scans: call id -> its outputs' item ids;
        # and the calls and approval requests in the journal that have had their answer (the
        # others are waiting for it). An answer deleted since does not make them wait again.
        self._outputs: dict[str, tuple[str, ...]] = {}
        self._answered: dict[str, None] = {}  # a set, as a dict: untracked by the collector
        # Item ids in the order their items became free to go: an item when it came, a call
        # or approval request when it was answered (its answer then goes with it). Stale ids
        # (gone since, or put twice) are skipped when met: trimming never scans a waiting call.
        self._free: deque[str] | None = None  # made when the first item comes
        self._calls: dict[str, str] = {}  # call id -> its call's item id, while journaled
        # Waiting calls and requests let go (their answers too); a set, as a dict.
        self._forgotten: dict[str, None] = {}
        self._dropped = 0
        self._forgotten_count = 0
        # Writes noted, not applied yet (see the module's doc), as (unbound method, its
        # arguments): no bound method holds the journal meanwhile. None while there are none.
        self._later: list[tuple[Callable[..., None], tuple[Any, ...]]] | None = None

    def __len__(self) -> int:
        self.settle()
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

    def settle(self) -> Sequence[Exception]:
        """Apply the writes noted so far, in order; what failed (a bug of ours: that write
        is lost, the others are applied)."""
        if not self._later:
            return ()
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

    def _note(self, write: Callable[..., None], *args: Any) -> None:
        later = self._later
        if later is None:
            later = self._later = []
        later.append((write, args))
        if len(later) >= _MOST_NOTED:  # a session that is only written to stays bounded
            self.settle()

    # -- what happened -------------------------------------------------------------------------

    def sent(self, item: Any) -> None:
        """We created ``item`` (it carries its own id)."""
        self._note(Journal._sent, item)

    def heard(self, item: Any) -> None:
        """The server's item is done (a message, a call, a hosted MCP item)."""
        self._note(Journal._heard, item)

    def called(self, call_id: str, name: str, arguments: str, item_id: str | None) -> None:
        """A function call started (journaled then: its response may never finish)."""
        self._note(Journal._called, call_id, name, arguments, item_id)

    def streaming(self, item_id: str, delta: str) -> None:
        """More of an assistant message's text (or audio transcript) arrived."""
        self._note(Journal._streaming, item_id, delta)

    def added(self, item_id: str | None) -> None:
        """``conversation.item.added``: the server has this item."""
        self._note(Journal._added, item_id)

    def transcribed(self, item_id: str, transcript: str) -> None:
        """An input transcript arrived: the user's audio turn, as text."""
        self._note(Journal._transcribed, item_id, transcript)

    def truncated(self, item_id: str, heard: float) -> None:
        """The user heard only the first ``heard`` (0 to 1) of an assistant message."""
        self._note(Journal._truncated, item_id, heard)

    def deleted(self, item_id: str) -> None:
        """The server deleted the item."""
        self._note(Journal._deleted, item_id)

    def disconnected(self) -> None:
        """The connection dropped: nothing is known to be on a server any more."""
        self._note(Journal._disconnected)

    # -- the writes, applied (see ``settle``) ---------------------------------------------------

    def _sent(self, item: Any) -> None:
        self._put(item, ours=True)

    def _heard(self, item: Any) -> None:
        kept = as_text(item)
        if kept is None:
            return
        old = self._entries.get(kept.id)
        if old is not None and (
            old[FLAGS] & _CUT or (placeholder(kept) and not old[FLAGS] & _EMPTY)
        ):
            return  # cut by a barge-in, or its transcript came first: keep what we have
        said = kept.content[0].text if isinstance(kept, p.AssistantMessage) else None
        self._put(kept, ours=False, said=said)  # an assistant's made by ``_assistant``

    def _called(self, call_id: str, name: str, arguments: str, item_id: str | None) -> None:
        item = p.FunctionCall(
            id=item_id or call_item_id(call_id), call_id=call_id, name=name, arguments=arguments
        )
        self._put(item, ours=False)

    def _streaming(self, item_id: str, delta: str) -> None:
        """More of an assistant message's text (or audio transcript) arrived: kept as it
        comes, so that a barge-in mid-answer can cut it where the user stopped hearing."""
        entry = self._entries.get(item_id)
        if entry is None or entry[KIND] not in MESSAGES:
            self._put(assistant_text(item_id, delta), ours=False, said=delta)
            return
        kind, cls, text, tokens, flags, ref = entry
        if kind == SAID:
            text += delta
            empty = not text
        else:
            item = decode_entry(item_id, entry)
            part = item.content[0]
            part.text = (part.text or "") + delta
            cls, text = pack(item)
            empty = placeholder(item)
        added = len(delta) // 4
        flags = flags | _EMPTY if empty else flags & ~_EMPTY
        self._entries[item_id] = (kind, cls, text, tokens + added, flags, ref)
        self._tokens += added

    def _added(self, item_id: str | None) -> None:
        """``conversation.item.added``: the server has this item."""
        self._flag(item_id or "", on=_CONFIRMED)

    def _transcribed(self, item_id: str, transcript: str) -> None:
        if transcript:
            item = p.UserMessage(
                id=item_id, content=[p.UserContent(type="input_text", text=transcript)]
            )
            self._put(item, ours=False)

    def _truncated(self, item_id: str, heard: float) -> None:
        entry = self._entries.get(item_id)
        if entry is None or entry[KIND] not in MESSAGES:
            return
        said = entry[KIND] == SAID
        text = entry[TEXT] if said else decode_entry(item_id, entry).content[0].text or ""
        words = text.split(" ")
        kept = " ".join(words[: round(len(words) * max(0.0, min(1.0, heard)))])
        # Nothing heard leaves an empty entry, not none: a late copy of the whole answer
        # must not come back in.
        self._put(assistant_text(item_id, kept), ours=False, said=kept)
        self._flag(item_id, on=_CUT)

    def _deleted(self, item_id: str) -> None:
        entry = self._entries.pop(item_id, None)
        if entry is None:
            return
        kind, _, _, tokens, _, ref = entry
        self._tokens -= tokens
        if kind == OUTPUT and ref is not None:
            outputs = tuple(o for o in self._outputs.get(ref, ()) if o != item_id)
            if outputs:
                self._outputs[ref] = outputs
            else:
                self._outputs.pop(ref, None)
        elif kind == CALL:
            call_id = ref or ""
            self._answered.pop(call_id, None)
            if self._calls.get(call_id) == item_id:
                del self._calls[call_id]
            self._frees().extend(self._outputs.get(call_id, ()))  # their call no longer takes them
        elif kind == REQUEST:
            self._answered.pop(item_id, None)

    def _disconnected(self) -> None:
        for item_id in [k for k, e in self._entries.items() if e[FLAGS] & _CONFIRMED]:
            self._flag(item_id, off=_CONFIRMED)

    # -- what a new connection is given ---------------------------------------------------------

    def replay(self, *, sideband: bool = False) -> list[Any]:
        """The items to create, in order. A new session gets them all; a sideband session,
        whose conversation stayed on the server, gets only ours it may have missed."""
        self.settle()
        if not sideband:
            return self.items()
        return [
            decode_entry(k, e)
            for k, e in self._entries.items()
            if e[FLAGS] & (_OURS | _CONFIRMED) == _OURS
        ]

    def items(self) -> list[Any]:
        """The conversation as text, in order (``session.history``)."""
        self.settle()
        return [decode_entry(k, e) for k, e in self._entries.items() if not e[FLAGS] & _EMPTY]

    # -- keeping within bounds ------------------------------------------------------------------

    def _put(self, item: Any, *, ours: bool, said: str | None = None) -> None:
        """Journal ``item``; ``said`` is its text when it is ``assistant_text(item.id, said)``."""
        item_id: str = item.id
        kind, ref = kind_of(item)
        if kind in (OUTPUT, ANSWER) and ref is not None and ref in self._forgotten:
            self._forgotten.pop(ref, None)  # answered once: nothing more to wait for
            return  # the answer of a call let go: a new session would refuse it
        entries = self._entries
        flags = _OURS if ours else 0
        old = entries.get(item_id)
        if old is not None:
            self._tokens -= old[TOKENS]
            flags |= old[FLAGS] & _OURS
        cls, text = pack(item)
        tokens = tokens_of(item, text)
        if placeholder(item):
            flags |= _EMPTY
        if said is not None:
            kind, text = SAID, said
        entries[item_id] = (kind, cls, text, tokens, flags, ref)
        self._tokens += tokens
        if kind == OUTPUT and ref is not None:
            outputs = self._outputs.get(ref, ())
            if item_id not in outputs:
                self._outputs[ref] = (*outputs, item_id)
            self._answered[ref] = None
            # It goes with its call, which is free to go from now.
            self._frees().append(self._calls.get(ref, item_id))
        elif kind == ANSWER and ref is not None:
            self._answered[ref] = None
            self._frees().append(item_id)
            if ref in entries:
                self._frees().append(ref)
        elif kind == CALL and ref:
            self._calls[ref] = item_id
            self._forgotten.pop(ref, None)  # given again: it is journaled after all
            if ref in self._answered:
                self._frees().append(item_id)
        elif kind == REQUEST:
            self._forgotten.pop(item_id, None)
            if item_id in self._answered:
                self._frees().append(item_id)
        else:
            self._frees().append(item_id)
        self._trim()

    def _flag(self, item_id: str, *, on: int = 0, off: int = 0) -> None:
        entry = self._entries.get(item_id)
        if entry is not None:
            kind, cls, text, tokens, flags, ref = entry
            self._entries[item_id] = (kind, cls, text, tokens, flags & ~off | on, ref)

    def _trim(self) -> None:
        entries = self._entries
        while len(entries) > 1 and (
            len(entries) > self.max_items or self._tokens > self.max_tokens
        ):
            victim = self._next_free()
            if victim is None:
                # Only waiting calls are left: the oldest is forgotten (see the module's doc).
                victim = next(iter(entries))
                entry = entries[victim]
                waiting_on = entry[REF] if entry[KIND] == CALL else None
                self._forgotten[waiting_on or victim] = None
                self._forgotten_count += 1
            entry = entries[victim]
            self._deleted(victim)
            self._dropped += 1
            call_id = entry[REF]
            if entry[KIND] == CALL and call_id:
                for output in self._outputs.get(call_id, ()):  # a tuple: deleting replaces it
                    self._deleted(output)
        if self._free is not None and len(self._free) > 2 * len(entries) + 64:
            self._compact()

    def _frees(self) -> deque[str]:
        if self._free is None:
            self._free = deque()
        return self._free

    def _next_free(self) -> str | None:
        """The item id that has been free to go the longest; None if only waiting ones are left."""
        while self._free:
            item_id = self._free.popleft()
            entry = self._entries.get(item_id)
            if entry is not None and self._may_drop(item_id, entry):
                return item_id
        return None

    def _compact(self) -> None:
        """Stale ids (items deleted by the server) would pile up where no trim meets them:
        kept to the items still journaled, in their order, once in a while."""
        self._free = deque(
            key
            for key, entry in self._entries.items()
            if self._may_drop(key, entry)
            and (entry[KIND] not in (OUTPUT, ANSWER) or entry[REF] not in self._calls)
        )

    def _may_drop(self, item_id: str, entry: Entry) -> bool:
        kind = entry[KIND]
        if kind == CALL:
            return entry[REF] in self._answered
        if kind == REQUEST:
            return item_id in self._answered
        return True
