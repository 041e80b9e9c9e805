"""A WebRTC call's output audio buffer, sans I/O: what the server has said and the caller
has not heard yet.

Over WebRTC the audio goes over RTP, not as ``response.output_audio.delta`` events: the
deltas the core makes are taken into this buffer, and the track plays it out at real time.
The buffer is the transport's, so its events are too, as the real server sends them:
``output_audio_buffer.started`` when a response's audio starts, ``.stopped`` once all of it
has played (after its ``response.done``), ``.cleared`` when it is cut off (the client's
``output_audio_buffer.clear``, or the caller's speech in a turn that interrupts).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from ... import protocol as p
from ...audio.formats import to_pcm16
from ..config import audio_format
from ..conversation import new_id

Session = Callable[[], dict[str, Any]]


class Playout:
    """Server events in (``outgoing``), 24 kHz PCM16 out (``pull``), with the events each
    says happened to the buffer. Nothing here waits: the track calls ``pull`` in time."""

    def __init__(self, session: Session, *, live: bool = False) -> None:
        self._session = session
        self._live = live  # GPT-Live: its deltas are session.output_audio.delta, no buffer events
        self._pcm = bytearray()
        self._response_id: str | None = None  # the response whose audio is in the buffer
        self._done = False  # its response.done went out: no more audio comes

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
            self._pcm += to_pcm16(base64.b64decode(event.get("delta") or ""), fmt).tobytes()
            return []
        if kind == "response.output_audio.delta":
            started: list[dict[str, Any]] = []
            rid = str(event.get("response_id", ""))
            if self._response_id != rid:
                started = [_event(p.OutputAudioBufferStarted, rid)]
                self._response_id, self._done = rid, False
            fmt = audio_format(self._session(), "output")
            self._pcm += to_pcm16(base64.b64decode(event.get("delta") or ""), fmt).tobytes()
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
            self._flush()
            return [event, _event(p.OutputAudioBufferCleared, rid)]
        return [event]

    def pull(self, size: int) -> tuple[bytes, list[dict[str, Any]]]:
        """The next ``size`` bytes to play (silence past the buffer), and the events they
        bring: ``stopped`` once a finished response's audio has all played."""
        chunk = bytes(self._pcm[:size])
        del self._pcm[:size]
        events: list[dict[str, Any]] = []
        if not self._pcm and self._done and self._response_id is not None:
            events.append(_event(p.OutputAudioBufferStopped, self._response_id))
            self._response_id, self._done = None, False
        return chunk + bytes(size - len(chunk)), events

    def _flush(self) -> None:
        self._pcm.clear()
        self._response_id, self._done = None, False

    def _interrupts(self) -> bool:
        turn = self._session().get("audio", {}).get("input", {}).get("turn_detection") or {}
        return bool(turn) and bool(turn.get("interrupt_response", True))


def _event(kind: type[Any], response_id: str) -> dict[str, Any]:
    model = kind(event_id=new_id("event"), response_id=response_id)
    data: dict[str, Any] = model.model_dump(mode="json", by_alias=True, exclude_unset=True)
    data["type"] = model.type
    return data
