"""What a session's core does to frames before the protocol's logic sees them: decoding
leniently (a warning for what could not be read), hiding credentials a server echoes back,
and matching replies to the requests that wait for them. Sans I/O."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from pydantic import ValidationError

from .. import protocol as p
from .._redact import redact as masked
from .._redact import redact_url
from ..protocol.codec import validate_server_frame
from .actions import Action, Emit, Resolve, Send
from .events import SessionWarning


def decode(
    frame: str | bytes,
    decoder: Callable[[str | bytes], Any] = p.decode_server_frame,
    fast: Callable[[str | bytes], Any] = validate_server_frame,
) -> tuple[Any, list[Emit]]:
    """The typed event in ``frame`` (``None`` if there is none to act on), and the warnings
    for what could not be read. Nothing a frame holds raises. ``fast``: the API's validator,
    for a frame that fits its schema (most: one native call); ``decoder``: its lenient
    decoder for the rest (a ``Decoded``: the event, and what it left out)."""
    try:
        return fast(frame), []
    except ValidationError:
        pass
    try:
        decoded = decoder(frame)
    except p.ProtocolError as exc:
        kind = None if exc.event_type is None else clip(exc.event_type, _NAMED)
        detail = {"event_type": kind, "frame": clip(frame)}
        said = clip(str(exc), _SAID)
        return None, [Emit(SessionWarning(f"malformed frame ignored: {said}", detail))]
    event = decoded.event
    if isinstance(event, p.UnknownServerEvent):
        kind = clip(event.type, _NAMED)
        detail = {"event_type": kind, "frame": clip(frame)}
        return None, [Emit(SessionWarning(f"unknown event type {kind!r} ignored", detail))]
    if not decoded.dropped:
        return event, []
    fields = [clip(path, _NAMED) for path in decoded.dropped]
    warning = SessionWarning(
        clip(f"{event.type}: left out what could not be read: " + ", ".join(fields), _SAID),
        {"event_type": event.type, "fields": fields},
    )
    return event, [Emit(warning)]


# What a warning quotes of a frame is cut (a frame's own words may be megabytes: a type, a key).
_NAMED = 100  # a type, a wire path
_SAID = 1000  # a message


def error_ref(event: Any) -> str | None:
    """The client event an ``error`` answers. The Realtime API names it in ``error.event_id``,
    GPT-Live in ``error.client_event_id`` (or the event's own): either is read, whichever
    the server used, so that a URL of the other API (a newcomer's slip) is refused at once,
    in its own words, rather than after a timeout."""
    err = event.error
    for holder, name in ((err, "event_id"), (err, "client_event_id"), (event, "client_event_id")):
        value = getattr(holder, name, None) or (getattr(holder, "model_extra", None) or {}).get(
            name
        )
        if isinstance(value, str):
            return value
    return None


class Requests:
    """Requests waiting for their reply: by event id, the reply type each waits for (or an
    ``error`` naming its event id, see ``error_ref``)."""

    def __init__(self) -> None:
        self._waiting: dict[str, tuple[str, Any]] = {}  # event id: reply type, the request

    def __bool__(self) -> bool:
        return bool(self._waiting)

    def expect(self, event_id: str, reply_type: str, event: Any = None) -> None:
        self._waiting[event_id] = (reply_type, event)

    def newest_first(self) -> Iterator[Any]:
        """The requests still waiting for their reply, the one sent last first."""
        return (event for _, event in reversed(self._waiting.values()) if event is not None)

    def send(
        self, event: Any, reply_type: str, next_id: Callable[[], str]
    ) -> tuple[str, list[Action]]:
        """Send ``event`` (given an id if it has none) and expect ``reply_type``: the id
        the reply resolves, and the send."""
        event_id = event.event_id or next_id()
        event.event_id = event_id
        self.expect(event_id, reply_type, event)
        return event_id, [Send(event)]

    def resolve(self, event: Any) -> list[Resolve] | None:
        """The request ``event`` answers, if any."""
        if event.type == "error":
            key = error_ref(event)
        else:
            key = next((k for k, (reply, _) in self._waiting.items() if reply == event.type), None)
        if key is None or key not in self._waiting:
            return None
        del self._waiting[key]
        return [Resolve(key, event)]

    def close(self) -> list[Resolve]:
        """Every request still waiting gets no reply."""
        pending, self._waiting = self._waiting, {}
        return [Resolve(event_id, None) for event_id in pending]


def redact(event: Any) -> None:
    """Hosted MCP credentials that a server echoes back (a token in the URL's query
    included) never reach the app's events."""
    for tool in getattr(event.session, "tools", None) or []:
        if isinstance(tool, p.McpToolDefinition):
            if tool.server_url:  # a token may travel in its query, or be its path
                tool.server_url = redact_url(tool.server_url, path=False)
            if tool.authorization:
                tool.authorization = "***"
            if tool.headers:
                tool.headers = {name: "***" for name in tool.headers}


def reread(frame: str | bytes) -> Any:
    """A Realtime frame's event again, as the app first got it (credentials hidden): for a
    stream that kept the frame, not the event, until the app read it."""
    event = p.decode_server_frame(frame).event
    if getattr(event, "session", None) is not None:
        redact(event)
    return event


def clip(frame: str | bytes, limit: int = 200) -> str:
    """The start of a frame, for a warning: a prefix is all that is kept (or decoded). It
    is masked before it is cut: cut first, a secret across the cut would be shown in part,
    which no mask then knows."""
    head = frame[: limit * 4 + 1 + _SECRET_ROOM]  # at most four UTF-8 bytes a character
    text = head.decode("utf-8", "replace") if isinstance(head, (bytes, bytearray)) else head
    text = masked(text)
    return text if len(text) <= limit else text[:limit] + "..."


_SECRET_ROOM = 1024  # characters past the cut read for a secret that spans it


_OWED = re.compile(r"(?:function calls?|approval requests?) (.+?)\.?$")


def owed_ids(message: str) -> list[str]:
    """The ids a refusal for answers still owed names: "No tool output found for function
    call call_a." (``missing_tool_output``; "... function calls call_a, call_b."), "No
    approval response found for MCP approval request mcpr_a." (``missing_approval_response``)."""
    named = _OWED.search(message)
    return [c.strip() for c in named.group(1).split(",") if c.strip()] if named else []


def lost_requests(ids: list[str]) -> list[p.McpApprovalRequest]:
    """Approval requests known by their ids alone (a drop kept the rest from the session)."""
    return [p.McpApprovalRequest(id=i, server_label="", name="", arguments="") for i in ids]
