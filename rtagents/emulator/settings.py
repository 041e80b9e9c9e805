"""How an emulator connection behaves: the choices a user makes for every session."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from .faults import Fault
from .voice import EmulatorVoice, tone_voice

Transcriber = Callable[[bytes, int], str]
"""Committed input audio (bytes in the session's format, milliseconds) to a transcript."""
TranscriptOrder = Literal["before", "after", "random"]


@dataclass(frozen=True)
class ServerSettings:
    realtime: bool = False
    """Pace output audio at real time instead of as fast as possible."""
    audio_chunk_ms: int = 40
    transcribe: Transcriber | None = None
    webrtc: bool = False
    """Behave as a WebRTC or SIP session (``output_audio_buffer.clear`` is allowed)."""
    faults: tuple[Fault, ...] = ()
    max_session_s: float = 3600.0
    """The session's time cap (the real server's is 60 minutes)."""
    transcript_order: TranscriptOrder = "random"
    """Whether an input transcript comes before or after the ``response.created`` of the
    response its turn starts. The real server's varies; ``"random"`` draws it per turn
    from ``seed``, so a run repeats exactly."""
    seed: int = 0
    voice: EmulatorVoice = field(default_factory=tone_voice)
    """What speaks the model's words (``Emulator`` chooses espeak-ng when it can)."""
