"""Audio between RTP and the core: what aiortc decodes (``av.AudioFrame``, 48 kHz) becomes
24 kHz PCM16, the core's own rate; 24 kHz PCM16 becomes frames for the outgoing track
(aiortc's encoder resamples them for Opus or G.711)."""

from __future__ import annotations

import fractions
from typing import Any

from ...audio.formats import RATE

FRAME_MS = 20
FRAME_SAMPLES = RATE * FRAME_MS // 1000
FRAME_BYTES = FRAME_SAMPLES * 2


class Decoded:
    """Frames as the peer decoded them, resampled to 24 kHz mono PCM16 (``av`` comes with
    aiortc; it is imported only once a call has audio)."""

    def __init__(self) -> None:
        import av

        self._resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)

    def pcm(self, frame: Any) -> bytes:
        out = bytearray()
        for resampled in self._resampler.resample(frame):
            # A plane may be padded past its samples: take only theirs.
            out += bytes(resampled.planes[0])[: resampled.samples * 2]
        return bytes(out)


def frame(pcm: bytes, pts: int) -> Any:
    """One 24 kHz mono PCM16 frame for the outgoing track, at ``pts`` samples."""
    import av

    out = av.AudioFrame(format="s16", layout="mono", samples=len(pcm) // 2)
    out.planes[0].update(pcm)
    out.sample_rate = RATE
    out.pts = pts
    out.time_base = fractions.Fraction(1, RATE)
    return out
