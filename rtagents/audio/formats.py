"""Audio formats of the Realtime API in one place: pcm16 (24 kHz) and G.711 u-law and A-law
(8 kHz), converted both ways with the standard's tables. Shared by the session, the emulator
and the bridges. Written here (checked against ``audioop`` on all 65,536 samples) because
``audioop`` left the standard library in Python 3.13."""

from __future__ import annotations

import base64
import binascii
import logging
import math
from array import array

from ..protocol.audio_formats import BYTES_PER_MS, audio_ms
from ..protocol.audio_formats import reported_output_format as reported_output_format

log = logging.getLogger("rtagents.audio")

RATE = 24_000
"""The rate of ``audio/pcm`` (and of the samples every conversion here goes through)."""


_SEG_U = (0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF)
_SEG_A = (0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF)


def _segment(value: int, ends: tuple[int, ...]) -> int:
    for seg, end in enumerate(ends):
        if value <= end:
            return seg
    return len(ends)


def _mulaw_encode_sample(sample: int) -> int:
    value = sample >> 2  # 14-bit
    mask = 0xFF
    if value < 0:
        value, mask = -value, 0x7F
    value = min(value, 8159) + 33
    seg = _segment(value, _SEG_U)
    if seg >= 8:
        return 0x7F ^ mask
    return ((seg << 4) | ((value >> (seg + 1)) & 0x0F)) ^ mask


def _mulaw_decode_sample(byte: int) -> int:
    byte = ~byte & 0xFF
    sign, exponent, mantissa = byte & 0x80, (byte >> 4) & 0x07, byte & 0x0F
    magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84
    return -magnitude if sign else magnitude


def _alaw_encode_sample(sample: int) -> int:
    value = sample >> 3  # 13-bit
    mask = 0xD5
    if value < 0:
        value, mask = -value - 1, 0x55
    seg = _segment(value, _SEG_A)
    if seg >= 8:
        return 0x7F ^ mask
    code = (seg << 4) | ((value >> (1 if seg < 2 else seg)) & 0x0F)
    return code ^ mask


def _alaw_decode_sample(byte: int) -> int:
    byte ^= 0x55
    sign, exponent, mantissa = byte & 0x80, (byte >> 4) & 0x07, byte & 0x0F
    magnitude = (mantissa << 4) + 8 if exponent == 0 else (mantissa << 4) + 264 << exponent - 1
    return magnitude if sign else -magnitude


# Tables make each conversion one lookup per sample.
_MULAW_DECODE = [_mulaw_decode_sample(b) for b in range(256)]
_ALAW_DECODE = [_alaw_decode_sample(b) for b in range(256)]


def samples(pcm16: bytes) -> array[int]:
    """Little-endian 16-bit PCM bytes as an array of samples."""
    out = array("h")
    out.frombytes(pcm16[: len(pcm16) - len(pcm16) % 2])
    return out


def to_pcm16(data: bytes, fmt: str) -> array[int]:
    """Samples at 24 kHz from audio in a session format (``audio/pcm``, ``pcmu``, ``pcma``),
    one piece on its own (a stream of pieces: ``Decoder``)."""
    if fmt == "audio/pcm":
        return samples(data)
    narrow = g711_decode(data, fmt)
    return upsample(narrow, 0, len(narrow))


def g711_decode(data: bytes, fmt: str) -> array[int]:
    """G.711 (``audio/pcmu`` or ``audio/pcma``) as the samples it holds, at 8 kHz."""
    table = _MULAW_DECODE if fmt == "audio/pcmu" else _ALAW_DECODE
    return array("h", [table[byte] for byte in data])


def from_pcm16(pcm: array[int], fmt: str, start: int = 0, stop: int | None = None) -> bytes:
    """Encode 24 kHz samples (``pcm[start:stop]``) in a session format; G.711 at 8 kHz
    through ``downsample``, so a stream sent in chunks of one array is sent as if whole."""
    if fmt == "audio/pcm":
        return pcm[start:stop].tobytes()
    return g711(downsample(pcm, start, stop), fmt)


def g711(pcm: array[int], fmt: str) -> bytes:
    """Encode samples as they are (8 kHz) in G.711: ``audio/pcmu`` or ``audio/pcma``."""
    encode = _mulaw_encode_sample if fmt == "audio/pcmu" else _alaw_encode_sample
    return bytes(encode(value) for value in pcm)


def _low_pass(taps: int, cutoff_hz: float) -> list[float]:
    """A windowed-sinc (Blackman) low-pass at ``RATE``, its gain 1 at 0 Hz."""
    mid, step = (taps - 1) / 2, 2 * math.pi * cutoff_hz / RATE
    weights = []
    for i in range(taps):
        x = i - mid
        ideal = step / math.pi if x == 0 else math.sin(step * x) / (math.pi * x)
        turn = 2 * math.pi * i / (taps - 1)
        weights.append(ideal * (0.42 - 0.5 * math.cos(turn) + 0.08 * math.cos(2 * turn)))
    total = sum(weights)
    return [w / total for w in weights]


# 8 kHz carries up to 4 kHz: what is above folds back into the band as noise (espeak's
# fricatives have much there). Measured: -0.1 dB at 2 kHz, -2 dB at 3 kHz, -32 dB at 5 kHz,
# -78 dB at 6 kHz; about 25 ms of CPU per second of audio.
_ANTI_ALIAS = _low_pass(31, 3600)


def downsample(pcm: array[int], start: int = 0, stop: int | None = None) -> array[int]:
    """24 kHz samples (``pcm[start:stop]``) to 8 kHz: low-passed below 4 kHz, then every
    third sample kept. The filter reads the samples around the range in ``pcm`` (the edge
    sample past its ends): a chunk starting at a multiple of 3 is converted as in the whole."""
    stop = len(pcm) if stop is None else min(stop, len(pcm))
    if start >= stop:
        return array("h")
    half = len(_ANTI_ALIAS) // 2
    low, high = max(0, start - half), min(len(pcm), stop + half)
    padded = array("h", [pcm[0]] * (half - (start - low)))
    padded.extend(pcm[low:high])
    padded.extend([pcm[-1]] * (half - (high - stop)))
    count = (stop - start + 2) // 3
    sums = [0.0] * count
    # Only the kept samples are filtered: one strided column of the input per tap.
    for k, weight in enumerate(_ANTI_ALIAS):
        column = padded[k : k + 3 * count : 3]
        sums = [acc + weight * value for acc, value in zip(sums, column, strict=True)]
    return array("h", [min(32767, max(-32768, round(acc))) for acc in sums])


def upsample(pcm: array[int], start: int = 0, stop: int | None = None) -> array[int]:
    """8 kHz samples (``pcm[start:stop]``) at 24 kHz: two zeros after each, then the same
    low-pass as ``downsample`` (gain 3), so that no image of the voice sounds above 4 kHz
    (repeating each sample three times leaves them 13 dB down: a metallic voice). The filter
    reads the samples around the range in ``pcm`` (the edge sample past its ends)."""
    stop = len(pcm) if stop is None else min(stop, len(pcm))
    if start >= stop:
        return array("h")
    taps, half, pad = _ANTI_ALIAS, len(_ANTI_ALIAS) // 2, _UP_CONTEXT
    low, high = max(0, start - pad), min(len(pcm), stop + pad)
    padded = array("h", [pcm[0]] * (pad - (start - low)))
    padded.extend(pcm[low:high])
    padded.extend([pcm[-1]] * (pad - (high - stop)))
    count, out = stop - start, array("h", bytes(6 * (stop - start)))
    for phase in range(3):  # each output of a phase reads every third tap
        sums = [0.0] * count
        for k in range(len(taps)):
            if (phase - k + half) % 3 == 0:
                column = padded[pad + (phase - k + half) // 3 :][:count]
                weight = 3 * taps[k]
                sums = [acc + weight * value for acc, value in zip(sums, column, strict=True)]
        out[phase::3] = array("h", [min(32767, max(-32768, round(acc))) for acc in sums])
    return out


_UP_CONTEXT = (len(_ANTI_ALIAS) // 2 + 2) // 3 + 1
"""The 8 kHz samples on each side the upsampling filter reads."""


class Decoder:
    """A stream of G.711 pieces (a call's deltas) decoded to 24 kHz as if given whole (see
    ``upsample``): the filter needs the samples after each, so each piece's last few wait
    for the next (0.6 ms of audio), or for ``flush`` at the stream's end."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self._narrow = array("h")  # the filter's context before ``_next``, and what waits
        self._next = 0  # where in ``_narrow`` the next sample to upsample is

    def decode(self, data: bytes) -> array[int]:
        if self.fmt == "audio/pcm":
            return samples(data)
        self._narrow.extend(g711_decode(data, self.fmt))
        return self._take(len(self._narrow) - _UP_CONTEXT)

    def flush(self) -> array[int]:
        """What waits, at the stream's end; the decoder then starts afresh."""
        if self.fmt == "audio/pcm":
            return array("h")
        out = self._take(len(self._narrow))
        self._narrow, self._next = array("h"), 0
        return out

    def _take(self, stop: int) -> array[int]:
        narrow, start = self._narrow, self._next
        if stop <= start:
            return array("h")
        out = upsample(narrow, start, stop)
        drop = max(0, stop - _UP_CONTEXT)  # what no later sample's filter reads
        del narrow[:drop]
        self._next = stop - drop
        return out


class Encoder:
    """A stream of 24 kHz samples, given in pieces (a call's 20 ms frames), encoded in a
    session format as if given whole: G.711's filter needs the samples after each one kept,
    so each piece's last few samples wait for the next piece (0.6 ms of audio)."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self._pcm = array("h")  # the filter's context before ``_next``, and what waits
        self._next = 0  # where in ``_pcm`` the next kept sample is

    def encode(self, pcm: array[int]) -> bytes:
        if self.fmt == "audio/pcm":
            return pcm.tobytes()
        held, half = self._pcm, len(_ANTI_ALIAS) // 2
        if not held:  # the stream's start: the filter reads its first sample before it
            if not pcm:
                return b""
            held.extend([pcm[0]] * half)
            self._next = half
        held.extend(pcm)
        ready = (len(held) - half - self._next + 2) // 3  # kept samples whose window is here
        if ready <= 0:
            return b""
        stop = self._next + 3 * (ready - 1) + 1
        data = g711(downsample(held, self._next, stop), self.fmt)
        self._next += 3 * ready
        drop = self._next - half
        del held[:drop]
        self._next -= drop
        return data


def bytes_per_ms(fmt: str) -> int:
    return BYTES_PER_MS[fmt]


def duration_ms(data_len: int, fmt: str) -> int:
    return audio_ms(data_len, fmt)


def delta_audio(delta: str) -> bytes:
    """The audio in a server's base64 ``delta``. One that is not base64 (a server's bug, a
    proxy's cut) is one bad frame: it is heard as nothing, with a warning, and the audio
    after it plays on (a raised ``binascii.Error`` would stop the speaker for good)."""
    try:
        return base64.b64decode(delta)
    except (binascii.Error, ValueError) as exc:
        log.warning("an audio delta that is not base64 was skipped (%s)", exc)
        return b""
