"""The journal's accounts, sans I/O: its items in order, their tokens, what answers what and
what is free to go, and the writes that change them, applied one at a time (``journal``
decides when). See ``journal`` for what is kept and why."""

from __future__ import annotations

import numbers
from collections import deque
from collections.abc import Callable
from typing import Any

from .. import protocol as p
from .._latest import keep_latest
from ..protocol.packing import pack
from .journal_items import (
    ANSWER,
    CALL,
    CONFIRMED,
    CUT,
    EMPTY,
    FLAGS,
    KIND,
    MESSAGES,
    OURS,
    OUTPUT,
    REF,
    REQUEST,
    SAID,
    STREAMING,
    TEXT,
    TOKENS,
    Entry,
    as_text,
    assistant_text,
    call_entry,
    decode_entry,
    kind_of,
    output_entry,
    placeholder,
    tokens_of,
)

_ANSWER_CLASS = pack(assistant_text("placed", ""))[0]  # (an answer's class, as packed)
_GONE_KEPT = 256  # calls let go by a trim, remembered (see ``Accounts._gone``)


class Accounts:
    """The items of one conversation, in order, by item id, and the writes that change them,
    each applied at once (``journal.Journal`` notes them, and applies them in order, with
    these very methods)."""

    # Scalars start as class attributes, set on the instance only once they change: an idle
    # session's objects then hold no slot the collector visits for nothing (performance.md,
    # "Density").
    _tokens = 0
    # Item ids in the order their items became free to go: an item when it came, a call
    # or approval request when it was answered (its answer then goes with it). Stale ids
    # (gone since, or put twice) are skipped when met: trimming never scans a waiting call.
    _free: deque[str] | None = None  # made when the first item comes
    _dropped = 0  # items let go to keep within the bounds
    _forgotten_count = 0  # of those, calls and requests that waited for an answer

    def __init__(self, *, max_items: int, max_tokens: int) -> None:
        whole = (
            isinstance(n, numbers.Integral) and not isinstance(n, bool)
            for n in (max_items, max_tokens)
        )
        if not all(whole) or max_items < 1 or max_tokens < 1:  # (no NaN: it bounds nothing)
            raise ValueError("the journal needs room for at least one item and one token")
        self.max_items = int(max_items)
        self.max_tokens = int(max_tokens)
        # In the order they came; only atomic values, so untracked by the collector.
        self._entries: dict[str, Entry] = {}
        # What answers what, so that trimming never scans: call id -> its outputs' item ids;
        # and the calls and approval requests in the journal that have had their answer (the
        # others are waiting for it). An answer deleted since does not make them wait again.
        self._outputs: dict[str, tuple[str, ...]] = {}
        self._answered: dict[str, None] = {}  # a set, as a dict: untracked by the collector
        self._calls: dict[str, str] = {}  # call id -> its call's item id, while journaled
        # Waiting calls and requests let go (their answers too); a set, as a dict.
        self._forgotten: dict[str, None] = {}
        # Calls answered and let go with their output by a trim (the latest): a late word of
        # one (its item's done, after its output) is not put back alone.
        self._gone: dict[str, None] = {}

    # -- the writes, applied at once -------------------------------------------------------------

    def sent(self, item: Any) -> None:
        self._put(item, ours=True)

    def sent_as(self, make: Callable[..., Any], *args: Any) -> None:
        self._put(make(*args), ours=True)

    def heard(self, item: Any) -> None:
        kept = as_text(item)
        if kept is None:
            return
        old = self._entries.get(kept.id)
        if old is not None and (old[FLAGS] & CUT or (placeholder(kept) and not old[FLAGS] & EMPTY)):
            self._flag(kept.id, off=STREAMING)  # done: what was said stays said
            return  # cut by a barge-in, or its transcript came first: keep what we have
        said = kept.content[0].text if isinstance(kept, p.AssistantMessage) else None
        self._put(kept, ours=False, said=said)  # an assistant's made by ``_assistant``

    def called(self, call_id: str, name: str, arguments: str, item_id: str | None) -> None:
        """A function call, written as ``_put`` would write its item, without making one
        (``journal_items.call_entry``): it is on every tool round's path."""
        if not self._unwanted(CALL, call_id):
            self._write(*call_entry(call_id, name, arguments, item_id))

    def output_sent(self, call_id: str, output: str, item_id: str | None) -> None:
        """Our output for ``call_id`` went out (see ``called``; ``journal_items.kept_output``
        is the item it stands for)."""
        if not self._unwanted(OUTPUT, call_id):
            self._write(*output_entry(call_id, output, item_id))

    def streaming(self, item_id: str, delta: str) -> None:
        """More of an assistant message's text (or audio transcript) arrived: kept as it
        comes, so that a barge-in mid-answer can cut it where the user stopped hearing."""
        entry = self._entries.get(item_id)
        if entry is None or entry[KIND] not in MESSAGES:
            self._put(assistant_text(item_id, delta), ours=False, said=delta)
            self._flag(item_id, on=STREAMING)
            return
        kind, cls, text, tokens, flags, ref = entry
        if flags & CUT:
            return  # cut where the user stopped hearing: what comes after was never heard
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
        flags = flags | EMPTY if empty else flags & ~EMPTY
        self._entries[item_id] = (kind, cls, text, tokens + added, flags, ref)
        self._tokens += added

    def placed(self, item_id: str) -> None:
        """An empty, streaming entry holding an item's place until its words or its call
        come (a drop first: ``cut_off`` lets it go). Written as ``_put`` would write an empty
        answer, without making one: it is on every tool round's path."""
        if item_id not in self._entries:
            self._entries[item_id] = (SAID, _ANSWER_CLASS, "", 0, STREAMING | EMPTY, None)
            self._frees().append(item_id)

    def added(self, item_id: str | None) -> None:
        """``conversation.item.added``: the server has this item."""
        self._flag(item_id or "", on=CONFIRMED)

    def transcribed(self, item_id: str, transcript: str) -> None:
        if transcript:
            item = p.UserMessage(
                id=item_id, content=[p.UserContent(type="input_text", text=transcript)]
            )
            self._put(item, ours=False)

    def truncated(self, item_id: str, heard: float) -> None:
        entry = self._entries.get(item_id)
        if entry is None or entry[KIND] not in MESSAGES or entry[FLAGS] & CUT:
            return  # (cut once: when we asked, and the server's word of it cuts no more)
        said = entry[KIND] == SAID
        text = entry[TEXT] if said else decode_entry(item_id, entry).content[0].text or ""
        words = text.split(" ")
        kept = " ".join(words[: round(len(words) * max(0.0, min(1.0, heard)))])
        # Nothing heard leaves an empty entry, not none: a late copy of the whole answer
        # must not come back in.
        self._put(assistant_text(item_id, kept), ours=False, said=kept)
        self._flag(item_id, on=CUT)

    def cut_off(self) -> None:
        """The connection dropped: the assistant messages still streaming are lost, as the
        response they were part of (a new session is asked for it again where it owed an
        answer): given back as said, the model would find its answer half said, then say it
        again."""
        for item_id in [i for i, e in self._entries.items() if e[FLAGS] & STREAMING]:
            Accounts.deleted(self, item_id)  # at once, whatever a subclass defers

    def deleted(self, item_id: str) -> None:
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

    # -- keeping within bounds ------------------------------------------------------------------

    def _put(self, item: Any, *, ours: bool, said: str | None = None) -> None:
        """Journal ``item``; ``said`` is its text when it is ``assistant_text(item.id, said)``."""
        kind, ref = kind_of(item)
        if self._unwanted(kind, ref):
            return
        cls, text = pack(item)
        tokens = tokens_of(item, text)  # (as JSON, said or not)
        flags = (OURS if ours else 0) | (EMPTY if placeholder(item) else 0)
        if said is not None:
            kind, text = SAID, said
        self._write(item.id, (kind, cls, text, tokens, flags, ref))

    def _unwanted(self, kind: int, ref: str | None) -> bool:
        """Whether an item of ``kind`` referring to ``ref`` is not journaled (see ``_put``)."""
        if kind in (OUTPUT, ANSWER) and ref is not None and ref in self._forgotten:
            self._forgotten.pop(ref, None)  # answered once: nothing more to wait for
            return True  # the answer of a call let go: a new session would refuse it
        # A call answered, and let go with its output: a late word of it is not news.
        return kind == CALL and ref is not None and ref in self._gone

    def _write(self, item_id: str, entry: Entry) -> None:
        """Keep ``entry`` (its flags: ``OURS`` and ``EMPTY`` at most) for ``item_id``, and
        the accounts of what it answers, then keep within the bounds."""
        kind, ref, entries = entry[KIND], entry[REF], self._entries
        old = entries.get(item_id)
        if old is not None:
            self._tokens -= old[TOKENS]
            if old[FLAGS] & (OURS | CONFIRMED):  # the server still has it
                entry = (*entry[:FLAGS], entry[FLAGS] | old[FLAGS] & (OURS | CONFIRMED), ref)
        entries[item_id] = entry
        self._tokens += entry[TOKENS]
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

    def confirmed(self, item_id: str) -> bool:
        """Whether the server said it has the item (``conversation.item.added``)."""
        entry = self._entries.get(item_id)
        return entry is not None and bool(entry[FLAGS] & CONFIRMED)

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
            Accounts.deleted(self, victim)  # at once, whatever a subclass defers
            self._dropped += 1
            call_id = entry[REF]
            if entry[KIND] == CALL and call_id:
                keep_latest(self._gone, call_id, None, _GONE_KEPT)
                for output in self._outputs.get(call_id, ()):  # a tuple: deleting replaces it
                    Accounts.deleted(self, output)
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
