"""The input audio buffer, sans I/O: append, commit, clear, and server VAD on audio time."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ..protocol import (
    InputAudioBufferCleared,
    InputAudioBufferCommitted,
    InputAudioBufferSpeechStarted,
    InputAudioBufferSpeechStopped,
)
from . import audio
from .config import audio_format
from .conversation import Conversation, new_id
from .errors import ClientEventError
from .outbox import Outbox
from .vad import EnergyVad, VadEvent

MAX_BUFFER_BYTES = 2 * 60 * 24_000 * 2
"""Uncommitted input audio one connection keeps: two minutes of 24 kHz pcm16 (5,760,000
bytes; twelve minutes of G.711). Past it the oldest audio goes, as a window: a session
that streams audio for an hour (server VAD hearing silence, or a client that never commits)
holds this much at most, and a commit takes the latest two minutes."""


_SILENT = {"audio/pcmu": 0xFF, "audio/pcma": 0xD5}
"""G.711's byte for silence (pcm16's is zero)."""


@dataclass(frozen=True)
class Committed:
    """A user audio message just added to the conversation."""

    item: dict[str, Any]
    previous_item_id: str | None
    audio: bytes
    ms: int


class InputAudio:
    """The buffer of one session. Speech is detected on audio time, so the same audio gives
    the same turns however fast it arrives; the core decides what a turn starts or stops."""

    def __init__(self, out: Outbox, conversation: Conversation) -> None:
        self._out = out
        self._conversation = conversation
        self._buffer = bytearray()
        # Exact (a Fraction: a chunk may hold 5.33 ms, and floats summed lose a millisecond)
        self._exact_ms = Fraction(0)
        self._odd = b""  # pcm16's half sample at a chunk's end: the next chunk's start
        self._speech_item: str | None = None
        self._buffered_ms = 0
        self.vad: EnergyVad | None = None

    @property
    def buffered_bytes(self) -> int:
        """Uncommitted audio held now, in bytes (at most ``MAX_BUFFER_BYTES``)."""
        return len(self._buffer)

    @property
    def audio_ms(self) -> int:
        """Audio appended since the session started: the clock VAD times are on."""
        return int(self._exact_ms)

    @property
    def speaking(self) -> bool:
        return self.vad is not None and self.vad.speaking

    def configure(self, session: dict[str, Any]) -> None:
        """Take the session's turn detection (after ``session.update``)."""
        turn = session["audio"]["input"].get("turn_detection")
        # The new VAD goes on from here, its padding reaching back to what is buffered.
        clock = {"position_ms": self.audio_ms, "floor_ms": self.audio_ms - self._buffered_ms}
        if not turn:
            self.vad = None
        elif turn.get("type") == "semantic_vad":
            # No model judges the turn here: eagerness only sets how long a pause ends it.
            pause = {"low": 1500, "high": 300}.get(turn.get("eagerness") or "auto", 700)
            self.vad = EnergyVad(silence_duration_ms=pause, **clock)
        else:
            self.vad = EnergyVad(
                threshold=turn.get("threshold", 0.5),
                prefix_padding_ms=turn.get("prefix_padding_ms", 300),
                silence_duration_ms=turn.get("silence_duration_ms", 200),
                **clock,
            )

    def append(self, encoded: str, fmt: str, *, silent: bool = False) -> list[VadEvent]:
        """Add base64 audio; the speech starts and stops it completes, in order. ``silent``
        hears it as silence of the same length (a muted input: time goes on, no one speaks)."""
        try:
            data = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise ClientEventError(
                "The audio is not valid base64.", code="invalid_value", param="audio"
            ) from None
        ms = audio.duration_ms(len(data), fmt)
        if silent:  # as long as what it stands for, to the byte (the stream's clock goes on)
            data = bytes([_SILENT[fmt]]) * len(data) if fmt in _SILENT else bytes(len(data))
        self._buffer.extend(data)
        self._exact_ms += Fraction(len(data), audio.bytes_per_ms(fmt))
        self._buffered_ms += ms
        excess = len(self._buffer) - MAX_BUFFER_BYTES
        if excess > 0:
            # VAD keeps its own clock (audio_ms): dropping what no turn will take moves
            # no event's times; only what a commit takes is the latest window.
            del self._buffer[:excess]
            self._buffered_ms = audio.duration_ms(len(self._buffer), fmt)
        if fmt == "audio/pcm":  # the appends are one byte stream, as on the API
            data, self._odd = self._odd + data, b""
            if len(data) % 2:
                data, self._odd = data[:-1], data[-1:]
        return [] if self.vad is None else self.vad.feed(audio.to_pcm16(data, fmt))

    def speech_started(self, audio_start_ms: int) -> None:
        self._speech_item = new_id("item")
        self._out.emit(
            InputAudioBufferSpeechStarted,
            audio_start_ms=audio_start_ms,
            item_id=self._speech_item,
        )

    def speech_stopped(self, audio_end_ms: int) -> str:
        """Emits ``speech_stopped``; the id the committed item will have."""
        item_id = self._speech_item or new_id("item")
        self._speech_item = None
        self._out.emit(InputAudioBufferSpeechStopped, audio_end_ms=audio_end_ms, item_id=item_id)
        return item_id

    def commit(self, session: dict[str, Any], item_id: str | None = None) -> Committed:
        """Turn the buffer into a user message (``input_audio_buffer.committed``)."""
        fmt = audio_format(session, "input")
        if item_id is None:  # an explicit commit: the buffer must hold something
            held_ms = len(self._buffer) / audio.bytes_per_ms(fmt)
            if held_ms < 100:
                raise ClientEventError(
                    "Error committing input audio buffer: buffer too small. Expected at least "
                    f"100ms of audio, but buffer only has {held_ms:.2f}ms of audio.",
                    code="input_audio_buffer_commit_empty",
                )
            item_id = self._speech_item or new_id("item")
            self._speech_item = None
            if self.vad:
                self.vad.reset()
        data = bytes(self._buffer)
        self._buffer.clear()
        self._buffered_ms = 0
        ms = audio.duration_ms(len(data), fmt)
        item: dict[str, Any] = {
            "id": item_id,
            "object": "realtime.item",
            "type": "message",
            "role": "user",
            "status": "completed",
            "content": [
                {
                    "type": "input_audio",
                    "audio": base64.b64encode(data).decode(),
                    "transcript": None,
                }
            ],
            "_audio_ms": ms,
        }
        previous = self._conversation.add(item)
        self._out.emit(InputAudioBufferCommitted, item_id=item_id, previous_item_id=previous)
        return Committed(item, previous, data, ms)

    def take(self, fmt: str) -> tuple[bytes, int]:
        """Empty the buffer into a turn the caller keeps, with no event and no item (a
        GPT-Live turn, which is not a conversation item): its audio and milliseconds."""
        data = bytes(self._buffer)
        self._buffer.clear()
        self._buffered_ms = 0
        return data, audio.duration_ms(len(data), fmt)

    def release(self) -> None:
        """The connection closed: let go of the audio (a closed connection stays readable
        for tests, and must not hold minutes of audio meanwhile)."""
        self._buffer = bytearray()
        self._buffered_ms = 0

    def clear(self) -> None:
        self._buffer.clear()
        self._buffered_ms = 0
        if self.vad:
            self.vad.reset()
        self._out.emit(InputAudioBufferCleared)
