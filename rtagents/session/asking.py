"""What ``session.ask`` waits for: the answer to the message it sent, read from the session's
events as they come."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .. import protocol as p

_ADDED = (*p.ITEM_ADDED, "conversation.item.done")
"""How a server says it has an item."""


class Answer:
    """What ``ask`` waits for, given what it sent (``sent``: the message), which calls ask
    for no response (``quiet``: by the tools offered to their response, so after a handoff
    the new agent's) and the response active as it is sent (``under_way``): an answer of
    the conversation begun after the server had the message (one begun before, a greeting
    say, answers something else; an aside, a filler, never does), or the server's refusal
    of the message or of the request for its answer, or the end."""

    def __init__(
        self,
        sent: Sequence[Any],
        quiet: Callable[[str, str | None], bool],
        under_way: str | None = None,
    ) -> None:
        events: list[Any] = [getattr(action, "event", None) for action in sent]
        items = [getattr(e, "item", None) for e in events]
        self.item = next((getattr(i, "id", None) for i in items if getattr(i, "id", None)), None)
        self.requests = {e.event_id for e in events if getattr(e, "event_id", None)}
        self.quiet = quiet
        self.added = False  # the server has the message
        self.responses: set[str] = set()  # those begun since
        # Those begun before it (a greeting, the one ``under_way`` as it is sent): not its
        # answer, even when their end is all that is seen of them.
        self.before: set[str] = set() if under_way is None else {under_way or "?"}
        self.calls: set[str] = set()  # the calls of those begun since, by their call id
        # The latest output of those begun since is a finished assistant message, and
        # nothing asked for more after it (a call, a response that ended wanting more).
        self.said = False

    def ends(self, event: Any) -> bool:
        kind = event.type
        if kind == "session.closed":
            return True
        if kind == "error":  # the message itself refused: no answer will come
            return getattr(event.error, "event_id", None) in self.requests
        if kind == "session.warning":  # (a refusal from before the message is another's)
            return self.added and event.detail.get("refused") == "response.create"
        if kind in _ADDED and getattr(event.item, "id", None) == self.item:
            self.added = True
            return False
        if kind == "tool.call.started" and (event.response_id or "?") in self.responses:
            self.calls.add(event.call_id)
            self.said = False
            return False
        if kind == "tool.call.failed":  # cancelled (a barge-in, a guardrail): its batch
            return event.kind == "cancelled" and event.call_id in self.calls  # asks for none
        if kind == "response.output_item.done" and (event.response_id or "?") in self.responses:
            item = event.item
            self.said = item.type == "message" and item.status == "completed"
            return False
        if kind == "session.reconnected":  # the responses under way ended with the drop,
            self.responses.clear()  # unseen: an answer said is complete (nothing is asked
            return self.said  # again for it), else the one asked again is awaited
        response: Any = getattr(event, "response", None)
        if kind == "response.created" and not response.out_of_band:
            (self.responses if self.added else self.before).add(response.id or "?")
        if kind != "response.done" or response.out_of_band:
            return False
        rid = response.id or "?"
        # One never seen begun (``response.done`` alone) is of those begun since, unless its
        # begin was seen before the message.
        if rid not in self.responses and not (self.added and rid not in self.before):
            return False
        output = response.output or []
        # (a response that does not say how it ended is read by its output, as one completed)
        if response.status not in ("completed", None) or (output and output[-1].type == "message"):
            return True
        self.said = False  # (whatever it said, it asks for more, or it ends the wait)
        return not any(  # (what it asks for comes in the next response)
            item.type == "mcp_approval_request"
            or (item.type == "function_call" and not self.quiet(item.name, response.id))
            for item in output
        )
