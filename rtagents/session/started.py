"""Which calls and approval requests a session started, by id, and the response that
announced each: kept for the whole session, so that an id the server announces again, on
this connection or after a replay, is never run twice (about 100 bytes a call). Sans I/O."""

from __future__ import annotations

from typing import Literal

_REQUEST = "\x00request:"
"""Before the response of an approval request: no response id starts so, so that a call
reusing a request's id is never taken for that request announced again."""

Seen = Literal["new", "again", "reused"]


class Started:
    def __init__(self) -> None:
        self._by_id: dict[str, str | None] = {}

    def first(self, work_id: str, response_id: str | None = None) -> bool:
        """Record ``work_id``; False if it was started already."""
        if work_id in self._by_id:
            return False
        self._by_id[work_id] = response_id
        return True

    def call(self, call_id: str, response_id: str | None) -> Seen:
        """A function call announced: ``new`` (start it), ``again`` (the same call, announced
        again by its response) or ``reused`` (another response, or an approval request,
        gave that id first: the call is answered with an error, never run)."""
        if self.first(call_id, response_id):
            return "new"
        first = self._by_id[call_id]
        if first is not None and first.startswith(_REQUEST):
            return "reused"  # (whatever response announces it, GPT-Live's none included)
        if response_id is None or first is None or response_id == first:
            return "again"
        return "reused"

    def request(self, request_id: str, response_id: str | None) -> bool:
        """An approval request announced; False if it was started already."""
        return self.first(request_id, _REQUEST + (response_id or ""))

    def response_of(self, work_id: str) -> str | None:
        """The response that announced a call (``None`` for a request, or if unknown)."""
        response_id = self._by_id.get(work_id)
        return None if response_id is None or response_id.startswith(_REQUEST) else response_id
