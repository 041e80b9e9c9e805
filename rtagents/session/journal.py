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
"""

from __future__ import annotations

import hashlib
from collections import deque
from typing import Any, Final

from .. import protocol as p
from ..protocol.packing import pack, unpack

DEFAULT_MAX_ITEMS = 400
DEFAULT_MAX_TOKENS = 16_000


def output_item_id(call_id: str) -> str:
    """The id of our output for ``call_id``: the same every time it is sent, so that a
    server which already has it refuses a second copy (``item_id_duplicate``)."""
    return "out_" + hashlib.sha256(call_id.encode()).hexdigest()[:24]


def note_item_id(call_id: str) -> str:
    """The id of the message with a background call's result: the same on every send."""
    return "bg_" + hashlib.sha256(call_id.encode()).hexdigest()[:24]


# An entry, a tuple of atomic values (untracked after the collector's first look at it): its
# kind, its class and JSON (see ``packing``; a ``_SAID`` entry's text alone), its tokens, its
# flags, and what it refers to (a call's or output's call id, an answer's request id).
_Entry = tuple[int, int, str, int, int, "str | None"]
_KIND: Final = 0
_TEXT: Final = 2
_TOKENS: Final = 3
_FLAGS: Final = 4
_REF: Final = 5

# Kinds of items, as far as the journal's accounts go: ``_SAID`` is an assistant message as
# ``_assistant`` makes it, kept as its text alone, ``_ASSISTANT`` any other one (as JSON);
# ``_REQUEST`` and ``_ANSWER`` are an approval request and its response.
_OTHER, _ASSISTANT, _SAID, _CALL, _OUTPUT, _REQUEST, _ANSWER = range(7)
_MESSAGES = (_ASSISTANT, _SAID)
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
        self._entries: dict[str, _Entry] = {}
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
        self.dropped = 0
        """Items let go to keep within the bounds."""
        self.forgotten = 0
        """Of those, calls and approval requests let go while they waited for their answer."""

    def __len__(self) -> int:
        return len(self._entries)

    # -- what happened -------------------------------------------------------------------------

    def sent(self, item: Any) -> None:
        """We created ``item`` (it carries its own id)."""
        self._put(item, ours=True)

    def heard(self, item: Any) -> None:
        """The server's item is done (a message, a call, a hosted MCP item)."""
        kept = _as_text(item)
        if kept is None:
            return
        old = self._entries.get(kept.id)
        if old is not None and (
            old[_FLAGS] & _CUT or (_placeholder(kept) and not old[_FLAGS] & _EMPTY)
        ):
            return  # cut by a barge-in, or its transcript came first: keep what we have
        said = kept.content[0].text if isinstance(kept, p.AssistantMessage) else None
        self._put(kept, ours=False, said=said)  # an assistant's made by ``_assistant``

    def called(self, call_id: str, name: str, arguments: str, item_id: str | None) -> None:
        """A function call started (journaled then: its response may never finish)."""
        item = p.FunctionCall(
            id=item_id or _call_item_id(call_id), call_id=call_id, name=name, arguments=arguments
        )
        self._put(item, ours=False)

    def streaming(self, item_id: str, delta: str) -> None:
        """More of an assistant message's text (or audio transcript) arrived: kept as it
        comes, so that a barge-in mid-answer can cut it where the user stopped hearing."""
        entry = self._entries.get(item_id)
        if entry is None or entry[_KIND] not in _MESSAGES:
            self._put(_assistant(item_id, delta), ours=False, said=delta)
            return
        kind, cls, text, tokens, flags, ref = entry
        if kind == _SAID:
            text += delta
            empty = not text
        else:
            item = _decode(item_id, entry)
            part = item.content[0]
            part.text = (part.text or "") + delta
            cls, text = pack(item)
            empty = _placeholder(item)
        added = len(delta) // 4
        flags = flags | _EMPTY if empty else flags & ~_EMPTY
        self._entries[item_id] = (kind, cls, text, tokens + added, flags, ref)
        self._tokens += added

    def added(self, item_id: str | None) -> None:
        """``conversation.item.added``: the server has this item."""
        self._flag(item_id or "", on=_CONFIRMED)

    def transcribed(self, item_id: str, transcript: str) -> None:
        """An input transcript arrived: the user's audio turn, as text."""
        if transcript:
            item = p.UserMessage(
                id=item_id, content=[p.UserContent(type="input_text", text=transcript)]
            )
            self._put(item, ours=False)

    def truncated(self, item_id: str, heard: float) -> None:
        """The user heard only the first ``heard`` (0 to 1) of an assistant message."""
        entry = self._entries.get(item_id)
        if entry is None or entry[_KIND] not in _MESSAGES:
            return
        said = entry[_KIND] == _SAID
        text = entry[_TEXT] if said else _decode(item_id, entry).content[0].text or ""
        words = text.split(" ")
        kept = " ".join(words[: round(len(words) * max(0.0, min(1.0, heard)))])
        # Nothing heard leaves an empty entry, not none: a late copy of the whole answer
        # must not come back in.
        self._put(_assistant(item_id, kept), ours=False, said=kept)
        self._flag(item_id, on=_CUT)

    def deleted(self, item_id: str) -> None:
        entry = self._entries.pop(item_id, None)
        if entry is None:
            return
        kind, _, _, tokens, _, ref = entry
        self._tokens -= tokens
        if kind == _OUTPUT and ref is not None:
            outputs = tuple(o for o in self._outputs.get(ref, ()) if o != item_id)
            if outputs:
                self._outputs[ref] = outputs
            else:
                self._outputs.pop(ref, None)
        elif kind == _CALL:
            call_id = ref or ""
            self._answered.pop(call_id, None)
            if self._calls.get(call_id) == item_id:
                del self._calls[call_id]
            self._frees().extend(self._outputs.get(call_id, ()))  # their call no longer takes them
        elif kind == _REQUEST:
            self._answered.pop(item_id, None)

    def disconnected(self) -> None:
        """The connection dropped: nothing is known to be on a server any more."""
        for item_id in [k for k, e in self._entries.items() if e[_FLAGS] & _CONFIRMED]:
            self._flag(item_id, off=_CONFIRMED)

    # -- what a new connection is given ---------------------------------------------------------

    def replay(self, *, sideband: bool = False) -> list[Any]:
        """The items to create, in order. A new session gets them all; a sideband session,
        whose conversation stayed on the server, gets only ours it may have missed."""
        if not sideband:
            return self.items()
        return [
            _decode(k, e)
            for k, e in self._entries.items()
            if e[_FLAGS] & (_OURS | _CONFIRMED) == _OURS
        ]

    def items(self) -> list[Any]:
        """The conversation as text, in order (``session.history``)."""
        return [_decode(k, e) for k, e in self._entries.items() if not e[_FLAGS] & _EMPTY]

    # -- keeping within bounds ------------------------------------------------------------------

    def _put(self, item: Any, *, ours: bool, said: str | None = None) -> None:
        """Journal ``item``; ``said`` is its text when it is ``_assistant(item.id, said)``."""
        item_id: str = item.id
        kind, ref = _kind(item)
        if kind in (_OUTPUT, _ANSWER) and ref is not None and ref in self._forgotten:
            self._forgotten.pop(ref, None)  # answered once: nothing more to wait for
            return  # the answer of a call let go: a new session would refuse it
        entries = self._entries
        flags = _OURS if ours else 0
        old = entries.get(item_id)
        if old is not None:
            self._tokens -= old[_TOKENS]
            flags |= old[_FLAGS] & _OURS
        cls, text = pack(item)
        tokens = _tokens(item, text)
        if _placeholder(item):
            flags |= _EMPTY
        if said is not None:
            kind, text = _SAID, said
        entries[item_id] = (kind, cls, text, tokens, flags, ref)
        self._tokens += tokens
        if kind == _OUTPUT and ref is not None:
            outputs = self._outputs.get(ref, ())
            if item_id not in outputs:
                self._outputs[ref] = (*outputs, item_id)
            self._answered[ref] = None
            # It goes with its call, which is free to go from now.
            self._frees().append(self._calls.get(ref, item_id))
        elif kind == _ANSWER and ref is not None:
            self._answered[ref] = None
            self._frees().append(item_id)
            if ref in entries:
                self._frees().append(ref)
        elif kind == _CALL and ref:
            self._calls[ref] = item_id
            self._forgotten.pop(ref, None)  # given again: it is journaled after all
            if ref in self._answered:
                self._frees().append(item_id)
        elif kind == _REQUEST:
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
                waiting_on = entry[_REF] if entry[_KIND] == _CALL else None
                self._forgotten[waiting_on or victim] = None
                self.forgotten += 1
            entry = entries[victim]
            self.deleted(victim)
            self.dropped += 1
            call_id = entry[_REF]
            if entry[_KIND] == _CALL and call_id:
                for output in self._outputs.get(call_id, ()):  # a tuple: deleting replaces it
                    self.deleted(output)
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
            and (entry[_KIND] not in (_OUTPUT, _ANSWER) or entry[_REF] not in self._calls)
        )

    def _may_drop(self, item_id: str, entry: _Entry) -> bool:
        kind = entry[_KIND]
        if kind == _CALL:
            return entry[_REF] in self._answered
        if kind == _REQUEST:
            return item_id in self._answered
        return True


def _kind(item: Any) -> tuple[int, str | None]:
    """What kind of item ``item`` is, and what it refers to (see ``_Entry``)."""
    if isinstance(item, p.FunctionCall):
        return _CALL, item.call_id
    if isinstance(item, p.FunctionCallOutput):
        return _OUTPUT, item.call_id
    if isinstance(item, p.AssistantMessage):
        return _ASSISTANT, None
    if isinstance(item, p.McpApprovalRequest):
        return _REQUEST, None
    if isinstance(item, p.McpApprovalResponse):
        return _ANSWER, item.approval_request_id
    return _OTHER, None


def _decode(item_id: str, entry: _Entry) -> Any:
    """The item again, as it was journaled (a new copy each time)."""
    kind, cls, text = entry[0], entry[1], entry[2]
    return _assistant(item_id, text) if kind == _SAID else unpack(cls, text)


def _assistant(item_id: str, text: str) -> p.AssistantMessage:
    return p.AssistantMessage(
        id=item_id, content=[p.AssistantContent(type="output_text", text=text)]
    )


def _as_text(item: Any) -> Any | None:
    """The server's item as a client may create it again (audio as its transcript)."""
    if isinstance(item, p.AssistantMessage) and item.id:
        text = " ".join(c.text or c.transcript or "" for c in item.content).strip()
        return _assistant(item.id, text) if text else None
    if isinstance(item, p.UserMessage) and item.id:
        parts = [c.text or c.transcript or "" for c in item.content]
        text = " ".join(t for t in parts if t).strip()
        if not text:
            # Audio with no transcript yet: its place is kept, for when the transcript comes
            # (it may come after the answer has started).
            return p.UserMessage(id=item.id, content=[])
        return p.UserMessage(id=item.id, content=[p.UserContent(type="input_text", text=text)])
    if isinstance(item, p.SystemMessage) and item.id:
        return item
    if isinstance(item, p.FunctionCall) and item.call_id:
        return p.FunctionCall(
            id=item.id or _call_item_id(item.call_id),
            call_id=item.call_id,
            name=item.name,
            arguments=item.arguments,
        )
    if isinstance(item, (p.McpCall, p.McpApprovalRequest)):
        return item
    return None


def _call_item_id(call_id: str) -> str:
    """The id a function call is kept under when the server gave its item none."""
    return f"fc_{call_id}"[:32]


def _placeholder(item: Any) -> bool:
    """A place kept with no text yet (or none left): not shown, not replayed."""
    if isinstance(item, p.UserMessage):
        return not item.content
    if isinstance(item, p.AssistantMessage):
        return not any(c.text or c.transcript for c in item.content)
    return False


def _tokens(item: Any, text: str) -> int:
    """About four characters a token. A call or its output is sized by its text, on the hot
    path of every tool call; anything else by its JSON (``text``)."""
    if isinstance(item, p.FunctionCall):
        return max(1, (len(item.name) + len(item.arguments) + len(item.call_id or "")) // 4 + 8)
    if isinstance(item, p.FunctionCallOutput):
        return max(1, (len(item.output) + len(item.call_id)) // 4 + 8)
    return max(1, len(text) // 4)
