"""A WebRTC call's output audio buffer, sans I/O: what the server has said and the caller
has not heard yet.

Over WebRTC the audio goes over RTP, not as ``response.output_audio.delta`` events: the
deltas the core makes are taken into this buffer, and the track plays it out at real time.
The buffer is the transport's, so its events are too, as the real server sends them:
``output_audio_buffer.started`` when a response's audio starts, ``.stopped`` once all of it
has played (after its ``response.done``), ``.cleared`` when it is cut off (the client's
``output_audio_buffer.clear``, or the caller's speech in a turn that interrupts). Cut off by
the caller's speech, the item being played is also truncated where the caller stopped
hearing it, as the real server does (over a websocket, that is the client's job).
"""

from __future__ import annotations

import base64
from collections import deque
from collections.abc import Callable
from typing import Any

from ... import protocol as p
from ...audio.formats import Decoder
from ...protocol.audio_formats import audio_ms
from ..config import audio_format
from ..conversation import new_id

Session = Callable[[], dict[str, Any]]
Truncate = Callable[[dict[str, Any]], None]
"""Takes the ``conversation.item.truncate`` that cuts an item at what was heard."""
Part = tuple[str, int]
"""An item's content part: its id and content index."""


class Playout:
    """Server events in (``outgoing``), 24 kHz PCM16 out (``pull``), with the events each
    says happened to the buffer. Nothing here waits: the track calls ``pull`` in time."""

    def __init__(
        self, session: Session, *, live: bool = False, truncate: Truncate | None = None
    ) -> None:
        self._session = session
        self._truncate = truncate
        self._live = live  # GPT-Live: its deltas are session.output_audio.delta, no buffer events
        self._pcm = bytearray()
        self._response_id: str | None = None  # the response whose audio is in the buffer
        self._done = False  # its response.done went out: no more audio comes
        # Whose audio the buffer holds, in order: (item id, content index), bytes left.
        self._items: deque[tuple[Part, int]] = deque()
        # The part played last, and how much of it has played (its deltas may come slower
        # than it plays: a part leaves ``_items`` and comes back).
        self._heard_part: Part | None = None
        self._heard = 0
        self._decoder: Decoder | None = None

    def _decoded(self, delta: Any, fmt: str) -> bytes:
        """A delta at 24 kHz, its stream's (G.711 decoded as one: no click at each edge; the
        last 0.75 ms of a stream waits for the next delta)."""
        if self._decoder is None or self._decoder.fmt != fmt:
            self._decoder = Decoder(fmt)
        return self._decoder.decode(base64.b64decode(delta or "")).tobytes()

    @property
    def playing(self) -> bool:
        return self._response_id is not None

    def outgoing(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        """What goes out on the data channel for a server event the core made."""
        kind = event.get("type")
        if self._live:
            if kind != "session.output_audio.delta":
                return [event]
            fmt = self._session()["audio"]["format"]["type"]
            self._pcm += self._decoded(event.get("delta"), fmt)
            return []
        if kind == "response.output_audio.delta":
            started: list[dict[str, Any]] = []
            rid = str(event.get("response_id", ""))
            if self._response_id != rid:
                started = [_event(p.OutputAudioBufferStarted, rid)]
                self._response_id, self._done = rid, False
            fmt = audio_format(self._session(), "output")
            pcm = self._decoded(event.get("delta"), fmt)
            self._pcm += pcm
            self._held(str(event.get("item_id", "")), int(event.get("content_index") or 0), pcm)
            return started
        if kind == "response.done":
            rid = str((event.get("response") or {}).get("id"))
            if rid == self._response_id:
                self._done = True
            return [event]
        if kind == "output_audio_buffer.cleared":  # the core answered the client's clear
            self._flush()
            return [event]
        if kind == "input_audio_buffer.speech_started" and self.playing and self._interrupts():
            rid = self._response_id or ""
            heard = self._items[0][0] if self._items else self._heard_part
            heard_ms = audio_ms(self._heard) if heard == self._heard_part else 0
            self._flush()
            if heard is not None and self._truncate is not None:
                self._truncate(
                    {
                        "type": "conversation.item.truncate",
                        "item_id": heard[0],
                        "content_index": heard[1],
                        "audio_end_ms": heard_ms,
                    }
                )
            return [event, _event(p.OutputAudioBufferCleared, rid)]
        return [event]

    def pull(self, size: int) -> tuple[bytes, list[dict[str, Any]]]:
        """The next ``size`` bytes to play (silence past the buffer), and the events they
        bring: ``stopped`` once a finished response's audio has all played."""
        chunk = bytes(self._pcm[:size])
        del self._pcm[:size]
        self._played(len(chunk))
        events: list[dict[str, Any]] = []
        if not self._pcm and self._done and self._response_id is not None:
            events.append(_event(p.OutputAudioBufferStopped, self._response_id))
            self._response_id, self._done = None, False
        return chunk + bytes(size - len(chunk)), events

    def _held(self, item_id: str, content_index: int, pcm: bytes) -> None:
        part = (item_id, content_index)
        if self._items and self._items[-1][0] == part:
            self._items[-1] = (part, self._items[-1][1] + len(pcm))
        else:
            self._items.append((part, len(pcm)))

    def _played(self, size: int) -> None:
        while size and self._items:
            part, left = self._items[0]
            step = min(size, left)
            size -= step
            if part != self._heard_part:
                self._heard_part, self._heard = part, 0
            self._heard += step
            if step < left:
                self._items[0] = (part, left - step)
            else:
                self._items.popleft()

    def _flush(self) -> None:
        self._pcm.clear()
        self._items.clear()
        self._heard_part, self._heard = None, 0
        self._response_id, self._done = None, False

    def _interrupts(self) -> bool:
        turn = self._session().get("audio", {}).get("input", {}).get("turn_detection") or {}
        return bool(turn) and bool(turn.get("interrupt_response", True))


def _event(kind: type[Any], response_id: str) -> dict[str, Any]:
    model = kind(event_id=new_id("event"), response_id=response_id)
    data: dict[str, Any] = model.model_dump(mode="json", by_alias=True, exclude_unset=True)
    data["type"] = model.type
    return data
