"""Which calls and approval requests a session started, by id, and the response that
announced each: kept for the whole session, so that an id the server announces again, on
this connection or after a replay, is never run twice (about 100 bytes a call). Sans I/O.

The record is a plain dict of strings, which the collector never tracks (one object fewer a
session than a class around it), and these functions read and write it."""

from __future__ import annotations

from typing import Literal

Started = dict[str, "str | None"]
"""Each id started, with the response that announced it (``None``: unknown)."""

Seen = Literal["new", "again", "reused"]

_REQUEST = "\x00request:"
"""Before the response of an approval request: no response id starts so, so that a call
reusing a request's id is never taken for that request announced again."""


def first(started: Started, work_id: str, response_id: str | None = None) -> bool:
    """Record ``work_id``; False if it was started already."""
    if work_id in started:
        return False
    started[work_id] = response_id
    return True


def call(started: Started, call_id: str, response_id: str | None) -> Seen:
    """A function call announced: ``new`` (start it), ``again`` (the same call, announced
    again by its response) or ``reused`` (another response, or an approval request, gave
    that id first: the call is answered with an error, never run)."""
    if first(started, call_id, response_id):
        return "new"
    earlier = started[call_id]
    if earlier is not None and earlier.startswith(_REQUEST):
        return "reused"  # (whatever response announces it, GPT-Live's none included)
    if response_id is None or earlier is None or response_id == earlier:
        return "again"
    return "reused"


def request(started: Started, request_id: str, response_id: str | None) -> Seen:
    """An approval request announced: ``new`` (decide it), ``again`` (the same request,
    announced again by its response) or ``reused`` (another response, or a call, gave that
    id first: it is answered with a deny, never asked about)."""
    key = _REQUEST + (response_id or "")
    if first(started, request_id, key):
        return "new"
    earlier = started[request_id] or ""
    if earlier == key or (response_id is None and earlier.startswith(_REQUEST)):
        return "again"
    # Reused: once for each response that lists it (a response lists its items twice).
    return "reused" if first(started, f"{request_id}#{key}") else "again"


def response_of(started: Started, work_id: str) -> str | None:
    """The response that announced a call (``None`` for a request, or if unknown)."""
    response_id = started.get(work_id)
    return None if response_id is None or response_id.startswith(_REQUEST) else response_id
