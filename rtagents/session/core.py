"""The session's core, sans I/O: it owns the wire. Frames in; actions out.

Everything the protocol decides happens here, with no awaiting, sleeping or sockets:
decoding (leniently, with a warning for what could not be read), redacting credentials a
server echoes back, hosted MCP tool listings, request/reply correlation, event ids, and every
client event the app sends. Turn-taking (tool calls, outputs, the next ``response.create``) is
``Turns``, which this feeds. The runner only moves frames and
carries out actions, like h11's ``Connection`` and websockets' ``protocol.py``.
"""

from __future__ import annotations

import base64
import itertools
import logging
import secrets
from collections.abc import Callable
from typing import Any

from .. import protocol as p
from .actions import Action, Emit, Resolve, Send, StartCall, ToolTraits
from .events import SessionWarning
from .journal import Journal
from .turns import Turns

log = logging.getLogger("rtagents.session")


_NOTED = frozenset(
    {
        "session.created",
        "session.updated",
        "error",
        # What the conversation holds, for the journal.
        "conversation.item.added",
        "conversation.item.done",
        "conversation.item.deleted",
        "conversation.item.truncated",
        "conversation.item.input_audio_transcription.completed",
        # An answer as it streams (a word at a time, not an audio frame).
        "response.output_text.delta",
        "response.output_audio_transcript.delta",
    }
)


class SessionCore:
    """One Realtime session's protocol state.

    Args:
        traits: What turn-taking needs to know of a tool, by name (``None``: unknown).
        sideband: The session of a call, created by its accept (or client secret) with the
            ``tracing`` it keeps: a sideband never sends ``tracing`` (see ``update_session``).
    """

    def __init__(
        self,
        traits: Callable[[str], ToolTraits | None],
        journal: Journal | None = None,
        *,
        sideband: bool = False,
    ) -> None:
        self._ids = (f"evt_rt_{n}" for n in itertools.count(1))
        self.turns = Turns(traits, self.next_event_id)
        self.journal = journal or Journal()
        """What the conversation holds, for a new connection (see ``journal``)."""
        self.expired = False
        """The server said the session hit its time cap (``session_expired``)."""
        self.expires_at: float | None = None
        """When the server says the session will hit its cap (Unix seconds), if it says."""
        self.session_id: str | None = None
        """The server's session id (``sess_...``), from ``session.created``."""
        self.config: dict[str, Any] = {}
        """The session as the server last reported it (``session.updated``)."""
        self.hosted_tools: dict[str, list[p.McpListedTool]] = {}
        """What each hosted MCP server listed, by server label."""
        self._requests: dict[str, str] = {}  # event_id -> the reply type it waits for
        # Waiting calls the journal let go, as far as seen; whether the app was told of it
        # on this connection.
        self._forgotten_seen = 0
        self._forgetting_told = False
        self._tracing_sent = sideband

    def next_event_id(self) -> str:
        return next(self._ids)

    # -- frames in -----------------------------------------------------------------------

    def receive_frame(self, frame: str | bytes) -> list[Action]:
        """One frame from the server. Nothing a frame holds raises: what cannot be read
        becomes a ``session.warning``, and a frame that breaks its schema in places is still
        delivered, without those places, so that turn-taking never stalls on it."""
        try:
            decoded = p.decode_server_frame(frame)
        except p.ProtocolError as exc:
            return [
                Emit(
                    SessionWarning(
                        f"malformed frame ignored: {exc}",
                        {"event_type": exc.event_type, "frame": _clip(frame)},
                    )
                )
            ]
        event = decoded.event
        if isinstance(event, p.UnknownServerEvent):
            return [
                Emit(
                    SessionWarning(
                        f"unknown event type {event.type!r} ignored",
                        {"event_type": event.type, "frame": _clip(frame)},
                    )
                )
            ]
        if not decoded.dropped:
            return self.receive(event, len(frame))
        warning = SessionWarning(
            f"{event.type}: left out what could not be read: " + ", ".join(decoded.dropped),
            {"event_type": event.type, "fields": list(decoded.dropped)},
        )
        return [Emit(warning), *self.receive(event, len(frame))]

    def receive(self, event: Any, size: int = 0) -> list[Action]:
        """One typed server event: delivered to the app, then acted on."""
        try:
            # Most frames (audio above all) need no bookkeeping of the wire's own.
            before = self._note(event) if event.type in _NOTED or self._requests else None
            after = self.turns.receive(event)
            for action in after:
                if isinstance(action, StartCall) and not action.duplicate:
                    # Journaled as soon as it starts: the response may never finish.
                    self.journal.called(
                        action.call_id, action.name, action.arguments, action.item_id
                    )
            if self.journal.forgotten > self._forgotten_seen:
                after = [*after, *self._forgetting()]
        except Exception as exc:  # a bug of ours must cost one event, not the session
            log.exception("the session failed on a %s event", event.type)
            return [
                Emit(event, size),
                Emit(SessionWarning(f"failed on {event.type}: {type(exc).__name__}: {exc}")),
            ]
        if before:
            return [*before, Emit(event, size), *after]
        if after:
            return [Emit(event, size), *after]
        return [Emit(event, size)]

    def _forgetting(self) -> list[Action]:
        """The journal let go of calls still waiting for their outputs (see ``Journal``):
        the app hears of it once a connection, not once a call."""
        self._forgotten_seen = self.journal.forgotten
        if self._forgetting_told:
            return []
        self._forgetting_told = True
        warning = SessionWarning(
            f"{self.journal.forgotten} calls still waiting for their outputs went past the "
            f"journal's bound ({self.journal.max_items} items): the live session still "
            "answers them, but after a reconnect they will not be given back",
            {"forgotten": self.journal.forgotten, "max_items": self.journal.max_items},
        )
        return [Emit(warning)]

    def _note(self, event: Any) -> list[Action]:
        """What the wire itself keeps of an event; the replies it resolves."""
        kind = event.type
        if kind in ("session.created", "session.updated"):
            _redact(event)
            if kind == "session.created":
                self.expired = False  # a new session, with a time cap of its own
                session = event.session
                extra = session.model_extra or {}
                self.session_id = getattr(session, "id", None) or extra.get("id")
                expires = getattr(session, "expires_at", None) or extra.get("expires_at")
                self.expires_at = expires if isinstance(expires, (int, float)) else None
            else:
                self.config = event.session.model_dump(exclude_unset=True)
        elif kind == "conversation.item.done":
            if isinstance(event.item, p.McpListTools):
                self.hosted_tools[event.item.server_label] = event.item.tools
            self.journal.heard(event.item)
        elif kind == "conversation.item.added":
            self.journal.added(getattr(event.item, "id", None))
        elif kind == "conversation.item.deleted":
            self.journal.deleted(event.item_id)
        elif kind == "conversation.item.truncated":
            self.journal.truncated(
                event.item_id, self.turns.playback.heard_fraction(event.item_id, event.audio_end_ms)
            )
        elif kind == "conversation.item.input_audio_transcription.completed":
            self.journal.transcribed(event.item_id, event.transcript)
        elif kind in ("response.output_text.delta", "response.output_audio_transcript.delta"):
            self.journal.streaming(event.item_id, event.delta)
        elif kind == "error" and event.error.code == "session_expired":
            self.expired = True
        if not self._requests:
            return []
        if kind == "error":
            key = event.error.event_id
        else:
            key = next((k for k, reply in self._requests.items() if reply == kind), None)
        if key is None or key not in self._requests:
            return []
        del self._requests[key]
        return [Resolve(key, event)]

    # -- client events out ---------------------------------------------------------------

    def request(self, event: Any, reply_type: str) -> tuple[str, list[Action]]:
        """Send ``event`` and expect ``reply_type`` (or an ``error`` naming its event id)."""
        event_id = event.event_id or self.next_event_id()
        event.event_id = event_id
        self._requests[event_id] = reply_type
        return event_id, [Send(event)]

    def update_session(self, config: p.SessionConfig) -> tuple[str, list[Action]]:
        """``session.update``, awaiting ``session.updated``. The server fixes ``tracing`` once
        set, so only the first update of a session carries it (none of a sideband's: the
        call's accept set it)."""
        if self._tracing_sent:
            config.__pydantic_fields_set__.discard("tracing")
        elif "tracing" in config.model_fields_set:
            self._tracing_sent = True
        return self.request(
            p.SessionUpdate(event_id=self.next_event_id(), session=config), "session.updated"
        )

    def send_text(self, text: str) -> list[Action]:
        # Our items carry our own ids, so that the journal can follow them.
        item = p.UserMessage(
            id="msg_" + secrets.token_hex(12),
            content=[p.UserContent(type="input_text", text=text)],
        )
        return [Send(p.ConversationItemCreate(event_id=self.next_event_id(), item=item))]

    def append_audio(self, pcm: bytes) -> list[Action]:
        # The hot path of a voice session: the frame is built directly, no model round trip.
        audio = base64.b64encode(pcm).decode("ascii")
        return [Send('{"type":"input_audio_buffer.append","audio":"' + audio + '"}')]

    def commit_audio(self) -> list[Action]:
        return [Send(p.InputAudioBufferCommit(event_id=self.next_event_id()))]

    def cancel_response(self) -> list[Action]:
        return [Send(p.ResponseCancel(event_id=self.next_event_id()))]

    def request_response(self, params: p.ResponseCreateParams | None = None) -> list[Action]:
        """The app asks for a turn itself (``create_response``)."""
        return self.turns.request_response(params)

    def interrupt(self, played_ms: int | None) -> list[Action]:
        return self.turns.interrupt(played_ms)

    def call_finished(self, work_id: str, output: str, *, cancelled: bool = False) -> list[Action]:
        return self.turns.call_finished(work_id, output, cancelled=cancelled)

    def approval_decided(self, request_id: str, approve: bool, reason: str | None) -> list[Action]:
        return self.turns.approval_decided(request_id, approve, reason)

    def close(self) -> list[Action]:
        """The session ended: every request still waiting gets no reply."""
        pending, self._requests = self._requests, {}
        return [Resolve(event_id, None) for event_id in pending]

    # -- a new connection ------------------------------------------------------------------

    def sent(self, event: Any) -> None:
        """The runner is about to send ``event`` (or would, were it connected): an item we
        create goes in the journal at this moment, so that a replay holds it exactly once."""
        if isinstance(event, p.ConversationItemCreate) and getattr(event.item, "id", None):
            self.journal.sent(event.item)

    def disconnected(self, *, sideband: bool) -> list[Action]:
        """The connection dropped. A new Realtime session needs ``tracing`` again; a sideband
        call keeps its own."""
        self.turns.disconnected()
        self.journal.disconnected()
        self._forgetting_told = False
        # ``expired`` stays until the new session says it was created: the reader decides
        # on it after the sends that may have met the close first.
        if not sideband:
            self._tracing_sent = False
        return self.close()

    def replay(self, *, sideband: bool) -> list[Action]:
        """The conversation, given back to a new connection (see ``Journal.replay``)."""
        return [
            Send(p.ConversationItemCreate(event_id=self.next_event_id(), item=item))
            for item in self.journal.replay(sideband=sideband)
        ]

    def resumed(self) -> list[Action]:
        return self.turns.resumed()


def _redact(event: Any) -> None:
    """Hosted MCP credentials that a server echoes back never reach the app's events."""
    for tool in getattr(event.session, "tools", None) or []:
        if isinstance(tool, p.McpToolDefinition):
            if tool.authorization:
                tool.authorization = "***"
            if tool.headers:
                tool.headers = {name: "***" for name in tool.headers}


def _clip(frame: str | bytes, limit: int = 200) -> str:
    """The start of a frame, for a warning: a prefix is all that is kept (or decoded)."""
    head = frame[: limit * 4 + 1]  # at most four UTF-8 bytes a character
    text = head.decode("utf-8", "replace") if isinstance(head, (bytes, bytearray)) else head
    return text if len(text) <= limit else text[:limit] + "..."
