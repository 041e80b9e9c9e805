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
"""

from __future__ import annotations

import hashlib
from collections import deque
from dataclasses import dataclass
from typing import Any

from .. import protocol as p

DEFAULT_MAX_ITEMS = 400
DEFAULT_MAX_TOKENS = 16_000


def output_item_id(call_id: str) -> str:
    """The id of our output for ``call_id``: the same every time it is sent, so that a
    server which already has it refuses a second copy (``item_id_duplicate``)."""
    return "out_" + hashlib.sha256(call_id.encode()).hexdigest()[:24]


def note_item_id(call_id: str) -> str:
    """The id of the message with a background call's result: the same on every send."""
    return "bg_" + hashlib.sha256(call_id.encode()).hexdigest()[:24]


@dataclass(slots=True)
class _Entry:
    item: Any  # a protocol item model, as it will be created again
    tokens: int
    ours: bool  # we created it (the server's copy may be missing after a drop)
    confirmed: bool = False  # the server said it has it (``conversation.item.added``)
    cut: bool = False  # truncated where the user stopped hearing: its text stays cut


class Journal:
    """The items of one conversation, in order, by item id."""

    def __init__(
        self, *, max_items: int = DEFAULT_MAX_ITEMS, max_tokens: int = DEFAULT_MAX_TOKENS
    ) -> None:
        if max_items < 1 or max_tokens < 1:
            raise ValueError("the journal needs room for at least one item and one token")
        self.max_items = max_items
        self.max_tokens = max_tokens
        self._entries: dict[str, _Entry] = {}  # in the order they came (an empty dict is untracked)
        self._tokens = 0
        # What answers what, so that trimming never scans: call id -> its outputs' item ids;
        # and the calls and approval requests in the journal that have had their answer (the
        # others are waiting for it). An answer deleted since does not make them wait again.
        self._outputs: dict[str, set[str]] = {}
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
        if old is not None and (old.cut or (_placeholder(kept) and not _placeholder(old.item))):
            return  # cut by a barge-in, or its transcript came first: keep what we have
        self._put(kept, ours=False)

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
        if entry is None or not isinstance(entry.item, p.AssistantMessage):
            self._put(_assistant(item_id, delta), ours=False)
            return
        part = entry.item.content[0]
        part.text = (part.text or "") + delta
        added = len(delta) // 4
        entry.tokens += added
        self._tokens += added

    def added(self, item_id: str | None) -> None:
        """``conversation.item.added``: the server has this item."""
        entry = self._entries.get(item_id or "")
        if entry is not None:
            entry.confirmed = True

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
        if entry is None or not isinstance(entry.item, p.AssistantMessage):
            return
        text = entry.item.content[0].text or ""
        words = text.split(" ")
        kept = " ".join(words[: round(len(words) * max(0.0, min(1.0, heard)))])
        # Nothing heard leaves an empty entry, not none: a late copy of the whole answer
        # must not come back in.
        self._put(_assistant(item_id, kept), ours=False)
        self._entries[item_id].cut = True

    def deleted(self, item_id: str) -> None:
        entry = self._entries.pop(item_id, None)
        if entry is None:
            return
        self._tokens -= entry.tokens
        item = entry.item
        if isinstance(item, p.FunctionCallOutput):
            outputs = self._outputs.get(item.call_id, set())
            outputs.discard(item_id)
            if not outputs:
                self._outputs.pop(item.call_id, None)
        elif isinstance(item, p.FunctionCall):
            call_id = item.call_id or ""
            self._answered.pop(call_id, None)
            if self._calls.get(call_id) == item_id:
                del self._calls[call_id]
            self._frees().extend(self._outputs.get(call_id, ()))  # their call no longer takes them
        elif isinstance(item, p.McpApprovalRequest):
            self._answered.pop(item.id, None)

    def disconnected(self) -> None:
        """The connection dropped: nothing is known to be on a server any more."""
        for entry in self._entries.values():
            entry.confirmed = False

    # -- what a new connection is given ---------------------------------------------------------

    def replay(self, *, sideband: bool = False) -> list[Any]:
        """The items to create, in order. A new session gets them all; a sideband session,
        whose conversation stayed on the server, gets only ours it may have missed."""
        if not sideband:
            return self.items()
        return [e.item for e in self._entries.values() if e.ours and not e.confirmed]

    def items(self) -> list[Any]:
        """The conversation as text, in order (``session.history``)."""
        return [e.item for e in self._entries.values() if not _placeholder(e.item)]

    # -- keeping within bounds ------------------------------------------------------------------

    def _put(self, item: Any, *, ours: bool) -> None:
        item_id = item.id
        answers = _answers(item)
        if answers is not None and answers in self._forgotten:
            self._forgotten.pop(answers, None)  # answered once: nothing more to wait for
            return  # the answer of a call let go: a new session would refuse it
        old = self._entries.get(item_id)
        if old is not None:
            self._tokens -= old.tokens
        tokens = _tokens(item)
        self._entries[item_id] = _Entry(item, tokens, ours or (old.ours if old else False))
        self._tokens += tokens
        if isinstance(item, p.FunctionCallOutput):
            self._outputs.setdefault(item.call_id, set()).add(item_id)
            self._answered[item.call_id] = None
            # It goes with its call, which is free to go from now.
            self._frees().append(self._calls.get(item.call_id, item_id))
        elif isinstance(item, p.McpApprovalResponse):
            self._answered[item.approval_request_id] = None
            self._frees().append(item_id)
            if item.approval_request_id in self._entries:
                self._frees().append(item.approval_request_id)
        elif isinstance(item, p.FunctionCall) and item.call_id:
            self._calls[item.call_id] = item_id
            self._forgotten.pop(item.call_id, None)  # given again: it is journaled after all
            if item.call_id in self._answered:
                self._frees().append(item_id)
        elif isinstance(item, p.McpApprovalRequest):
            self._forgotten.pop(item.id, None)
            if item.id in self._answered:
                self._frees().append(item_id)
        else:
            self._frees().append(item_id)
        self._trim()

    def _trim(self) -> None:
        entries = self._entries
        while len(entries) > 1 and (
            len(entries) > self.max_items or self._tokens > self.max_tokens
        ):
            victim = self._next_free()
            if victim is None:
                # Only waiting calls are left: the oldest is forgotten (see the module's doc).
                victim = next(iter(entries))
                item = entries[victim].item
                waiting_on = item.call_id if isinstance(item, p.FunctionCall) else None
                self._forgotten[waiting_on or victim] = None
                self.forgotten += 1
            item = entries[victim].item
            self.deleted(victim)
            self.dropped += 1
            if isinstance(item, p.FunctionCall) and item.call_id:
                for output in list(self._outputs.get(item.call_id, ())):
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
            if entry is not None and self._may_drop(entry):
                return item_id
        return None

    def _compact(self) -> None:
        """Stale ids (items deleted by the server) would pile up where no trim meets them:
        kept to the items still journaled, in their order, once in a while."""
        self._free = deque(
            key
            for key, entry in self._entries.items()
            if self._may_drop(entry) and _answers(entry.item) not in self._calls
        )

    def _may_drop(self, entry: _Entry) -> bool:
        item = entry.item
        if isinstance(item, p.FunctionCall):
            return item.call_id in self._answered
        if isinstance(item, p.McpApprovalRequest):
            return item.id in self._answered
        return True


def _answers(item: Any) -> str | None:
    """The call id or approval request id that ``item`` answers, if it is an answer."""
    if isinstance(item, p.FunctionCallOutput):
        return item.call_id
    if isinstance(item, p.McpApprovalResponse):
        return item.approval_request_id
    return None


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


def _tokens(item: Any) -> int:
    """About four characters a token. A call or its output is sized by its text, on the hot
    path of every tool call; anything else by its JSON."""
    if isinstance(item, p.FunctionCall):
        return max(1, (len(item.name) + len(item.arguments) + len(item.call_id or "")) // 4 + 8)
    if isinstance(item, p.FunctionCallOutput):
        return max(1, (len(item.output) + len(item.call_id)) // 4 + 8)
    return max(1, len(item.model_dump_json(exclude_unset=True)) // 4)
