"""Any rate and channel count to the session's rate and back: pcm16 resampled by libsoxr
(``python-soxr``, with numpy; the ``rtagents[audio]`` extra). A well-kept, band-limited
resampler: a hand-written one aliases, and this one is the reference others are tested with.
"""

from __future__ import annotations

from typing import Any

from .._extras import require
from ..errors import ExtraMissing

# Kept under its old name: resampling (files at other rates, local voice) raises it.
AudioExtraMissing = ExtraMissing


def _libs() -> tuple[Any, Any]:
    feature = "audio at other rates"
    return require("audio", "numpy", feature), require("audio", "soxr", feature)


def need_resampling(src_rate: int, dst_rate: int) -> None:
    """``ExtraMissing`` now, naming the extra, if audio at ``src_rate`` will be resampled
    to ``dst_rate`` without it."""
    if src_rate != dst_rate:
        _libs()


def _mono(np: Any, pcm: bytes, channels: int) -> Any:
    frames = np.frombuffer(pcm[: len(pcm) - len(pcm) % (2 * channels)], dtype="<i2")
    if channels == 1:
        return frames
    # Channels are averaged: a stereo recording's voice is usually in both.
    mixed = frames.reshape(-1, channels).astype(np.int32).mean(axis=1)
    return np.round(mixed).astype("<i2")


def resample(pcm: bytes, src_rate: int, dst_rate: int, *, channels: int = 1) -> bytes:
    """Little-endian pcm16 at ``src_rate`` with ``channels`` interleaved -> mono pcm16 at
    ``dst_rate``. The same rate and one channel is returned as it is."""
    if src_rate <= 0 or dst_rate <= 0 or channels <= 0:
        raise ValueError(f"rates and channels must be positive: {src_rate}, {dst_rate}, {channels}")
    if src_rate == dst_rate and channels == 1:
        return pcm
    np, soxr = _libs()
    mono = _mono(np, pcm, channels)
    if src_rate == dst_rate or not len(mono):
        return bytes(mono.astype("<i2").tobytes())
    out = soxr.resample(mono, src_rate, dst_rate, quality="HQ")
    return bytes(out.astype("<i2").tobytes())


class StreamResampler:
    """Resample a stream chunk by chunk (a microphone, a speaker): the filter's state
    carries across chunks, so there are no clicks at their edges."""

    def __init__(self, src_rate: int, dst_rate: int, *, channels: int = 1) -> None:
        self.src_rate, self.dst_rate, self.channels = src_rate, dst_rate, channels
        self._rest = b""  # the end of a chunk that split a frame: the next one's start
        self._np: Any = None
        self._stream: Any = None
        if src_rate != dst_rate or channels != 1:
            self._np, soxr = _libs()
            if src_rate != dst_rate:
                self._stream = soxr.ResampleStream(src_rate, dst_rate, 1, dtype="int16")

    def push(self, pcm: bytes, *, last: bool = False) -> bytes:
        """The resampled audio for ``pcm`` (some of it may come out with the next chunk)."""
        if self._np is None:
            return pcm
        if self._rest:
            pcm, self._rest = self._rest + pcm, b""
        whole = len(pcm) - len(pcm) % (2 * self.channels)
        pcm, self._rest = pcm[:whole], pcm[whole:]
        mono = _mono(self._np, pcm, self.channels)
        if self._stream is None:
            return bytes(mono.tobytes())
        return bytes(self._stream.resample_chunk(mono, last=last).astype("<i2").tobytes())

    def flush(self) -> bytes:
        """What the filter still holds, at the end of the stream (or of one part of it: an
        answer's audio); the resampler then starts afresh for what comes next."""
        tail = self.push(b"", last=True)
        self._rest = b""
        if self._stream is not None:
            self._stream.clear()
        return tail
