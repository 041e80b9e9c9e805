"""Audio for the emulator: energy, and a synthetic voice. Formats are ``rtagents.audio``'s."""

from __future__ import annotations

import math
from array import array

from ..audio.formats import (  # re-exported: the emulator's tests and users import them here
    RATE,
    bytes_per_ms,
    duration_ms,
    from_pcm16,
    samples,
    to_pcm16,
)

__all__ = [
    "RATE",
    "bytes_per_ms",
    "duration_ms",
    "from_pcm16",
    "rms",
    "samples",
    "silence",
    "synthesize",
    "to_pcm16",
    "tone",
]


def rms(frame: array[int]) -> float:
    """Root mean square amplitude as a fraction of full scale (0..1)."""
    if not frame:
        return 0.0
    return math.sqrt(sum(s * s for s in frame) / len(frame)) / 32768.0


def tone(ms: int, *, amplitude: float = 0.3, freq: float = 220.0) -> array[int]:
    """A sine tone: what tests and the demo send as 'speech'."""
    count = RATE * ms // 1000
    step = 2 * math.pi * freq / RATE
    return array("h", (int(amplitude * 32767 * math.sin(i * step)) for i in range(count)))


def silence(ms: int) -> array[int]:
    return array("h", bytes(RATE * ms // 1000 * 2))


def synthesize(text: str, *, ms_per_char: int = 50) -> array[int]:
    """A deterministic 'voice' for a transcript: one soft tone per character."""
    out = array("h")
    for char in text:
        if char.isspace():
            out.extend(silence(ms_per_char))
        else:
            out.extend(tone(ms_per_char, amplitude=0.2, freq=180.0 + (ord(char) % 32) * 12))
    return out
