"""What the journal keeps of an item: its kind and what it refers to, its text form, its
size in tokens, and the ids our own items carry. Sans I/O (see ``journal``)."""

from __future__ import annotations

import hashlib
from typing import Any, Final

from .. import protocol as p
from ..protocol.packing import pack, unpack


def output_item_id(call_id: str) -> str:
    """The id of our output for ``call_id``: the same every time it is sent, so that a
    server which already has it refuses a second copy (``item_id_duplicate``)."""
    return "out_" + _digest(call_id)


def answer_item_id(request_id: str) -> str:
    """The id of our answer to an approval request: the same every time it is sent, and as
    short as the API takes an item id (32 characters), however long the request's is."""
    return "apr_" + _digest(request_id)


def kept_output(call_id: str, output: str, item_id: str | None = None) -> p.FunctionCallOutput:
    """Our output for ``call_id`` as the journal keeps it (GPT-Live's, as a Realtime item;
    ``item_id``: the one it was sent with, if any)."""
    return p.FunctionCallOutput(
        id=item_id or output_item_id(call_id), call_id=call_id, output=output
    )


def kept_answer(request_id: str, approve: bool) -> p.McpApprovalResponse:
    """Our answer to an approval request as the journal keeps it (see ``kept_output``)."""
    return p.McpApprovalResponse(
        id=answer_item_id(request_id), approval_request_id=request_id, approve=approve
    )


def note_item_id(call_id: str) -> str:
    """The id of the message with a background call's result: the same on every send."""
    return "bg_" + _digest(call_id)


def _digest(call_id: str) -> str:
    # Any id a frame can hold, a lone surrogate (JSON's "\\ud800") included: the call is
    # answered whatever its id.
    return hashlib.sha256(call_id.encode("utf-8", "surrogatepass")).hexdigest()[:24]


# An entry, a tuple of atomic values (untracked after the collector's first look at it): its
# kind, its class and JSON (see ``packing``; a ``SAID`` entry's text alone), its tokens, its
# flags, and what it refers to (a call's or output's call id, an answer's request id).
Entry = tuple[int, int, str, int, int, "str | None"]
KIND: Final = 0
TEXT: Final = 2
TOKENS: Final = 3
FLAGS: Final = 4
REF: Final = 5

# Kinds of items, as far as the journal's accounts go: ``SAID`` is an assistant message as
# ``assistant_text`` makes it, kept as its text alone, ``ASSISTANT`` any other one (as JSON);
# ``REQUEST`` and ``ANSWER`` are an approval request and its response.
OTHER, ASSISTANT, SAID, CALL, OUTPUT, REQUEST, ANSWER = range(7)
MESSAGES = (ASSISTANT, SAID)
# An entry's flags: we created it (the server's copy may be missing after a drop); the server
# said it has it (``conversation.item.added``); cut where the user stopped hearing (its text
# stays cut); a place kept with no text yet, or none left (not shown, not replayed); an
# assistant message still streaming (its item not done: a drop cuts it off, and it is lost,
# see ``Accounts.cut_off``).
OURS, CONFIRMED, CUT, EMPTY, STREAMING = 1, 2, 4, 8, 16


def kind_of(item: Any) -> tuple[int, str | None]:
    """What kind of item ``item`` is, and what it refers to (see ``Entry``)."""
    if isinstance(item, p.FunctionCall):
        return CALL, item.call_id
    if isinstance(item, p.FunctionCallOutput):
        return OUTPUT, item.call_id
    if isinstance(item, p.AssistantMessage):
        return ASSISTANT, None
    if isinstance(item, p.McpApprovalRequest):
        return REQUEST, None
    if isinstance(item, p.McpApprovalResponse):
        return ANSWER, item.approval_request_id
    return OTHER, None


def call_entry(call_id: str, name: str, arguments: str, item_id: str | None) -> tuple[str, Entry]:
    """A function call's id and entry, as packing its item would give them (``pack`` of
    ``FunctionCall(id=..., call_id=..., name=..., arguments=...)``: the same JSON), made
    without the item: on every tool round's path, where a model costs several times this."""
    item_id = item_id or call_item_id(call_id)
    text = p.encode_function_call_item(item_id, call_id, name, arguments)
    tokens = max(1, (len(name) + len(arguments) + len(call_id)) // 4 + 8)  # (``tokens_of``)
    return item_id, (CALL, _CALL_CLASS, text, tokens, 0, call_id)


def output_entry(call_id: str, output: str, item_id: str | None) -> tuple[str, Entry]:
    """Our output's id and entry, as packing ``kept_output(call_id, output, item_id)``
    would give them (see ``call_entry``)."""
    item_id = item_id or output_item_id(call_id)
    text = p.encode_function_output_item(item_id, call_id, output)
    tokens = max(1, (len(output) + len(call_id)) // 4 + 8)  # (``tokens_of``)
    return item_id, (OUTPUT, _OUTPUT_CLASS, text, tokens, OURS, call_id)


def decode_entry(item_id: str, entry: Entry) -> Any:
    """The item again, as it was journaled (a new copy each time)."""
    kind, cls, text = entry[0], entry[1], entry[2]
    return assistant_text(item_id, text) if kind == SAID else unpack(cls, text)


def assistant_text(item_id: str, text: str) -> p.AssistantMessage:
    return p.AssistantMessage(
        id=item_id, content=[p.AssistantContent(type="output_text", text=text)]
    )


def as_text(item: Any) -> Any | None:
    """The server's item as a client may create it again (audio as its transcript)."""
    if isinstance(item, p.AssistantMessage) and item.id:
        text = " ".join(c.text or c.transcript or "" for c in item.content).strip()
        return assistant_text(item.id, text) if text else None
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
            id=item.id or call_item_id(item.call_id),
            call_id=item.call_id,
            name=item.name,
            arguments=item.arguments,
        )
    if isinstance(item, (p.McpCall, p.McpApprovalRequest)):
        return item
    return None


def call_item_id(call_id: str) -> str:
    """The id a function call is kept under when the server gave its item none."""
    return f"fc_{call_id}"[:32]


def placeholder(item: Any) -> bool:
    """A place kept with no text yet (or none left): not shown, not replayed."""
    if isinstance(item, p.UserMessage):
        return not item.content
    if isinstance(item, p.AssistantMessage):
        return not any(c.text or c.transcript for c in item.content)
    return False


def tokens_of(item: Any, text: str) -> int:
    """About four characters a token. A call or its output is sized by its text, on the hot
    path of every tool call; anything else by its JSON (``text``)."""
    if isinstance(item, p.FunctionCall):
        return max(1, (len(item.name) + len(item.arguments) + len(item.call_id or "")) // 4 + 8)
    if isinstance(item, p.FunctionCallOutput):
        return max(1, (len(item.output) + len(item.call_id)) // 4 + 8)
    return max(1, len(text) // 4)


_CALL_CLASS = pack(p.FunctionCall(id="c", call_id="c", name="n", arguments=""))[0]
_OUTPUT_CLASS = pack(kept_output("c", ""))[0]
