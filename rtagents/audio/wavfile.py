"""WAV files in and out of a session: any rate, channel count and sample width in, pcm16
mono out. Read here rather than with ``wave``, which in Python 3.11 refuses the extensible
format sox and most editors write past 16 bits or 2 channels; ``resample`` changes
the rate."""

from __future__ import annotations

import struct
import wave
from array import array
from dataclasses import dataclass
from pathlib import Path

from .formats import RATE, g711_decode
from .resample import resample


class WavError(ValueError):
    """A file that is not a PCM WAV we can read."""


@dataclass(frozen=True)
class WavInfo:
    rate: int
    channels: int
    sample_width: int
    frames: int

    @property
    def seconds(self) -> float:
        return self.frames / self.rate if self.rate else 0.0


def _to_pcm16(data: bytes, width: int) -> bytes:
    """8-, 24- and 32-bit integer samples as 16-bit: the two highest bytes of each
    (little-endian), by strided copies; 8-bit WAV is unsigned, so its sign bit flips."""
    if width == 2:
        return data
    if width not in (1, 3, 4):
        raise WavError(f"{width * 8}-bit samples are not supported")
    count = len(data) // width
    out = bytearray(2 * count)
    if width == 1:
        out[1::2] = data[:count].translate(_FLIP_SIGN)
    else:
        out[0::2] = data[width - 2 :: width][:count]
        out[1::2] = data[width - 1 :: width][:count]
    return bytes(out)


_FLIP_SIGN = bytes((b ^ 0x80) for b in range(256))


def _chunks(blob: bytes) -> dict[bytes, bytes]:
    if len(blob) < 12 or blob[:4] != b"RIFF" or blob[8:12] != b"WAVE":
        raise WavError("no RIFF/WAVE header")
    found: dict[bytes, bytes] = {}
    at = 12
    while at + 8 <= len(blob):
        tag, size = blob[at : at + 4], int.from_bytes(blob[at + 4 : at + 8], "little")
        found.setdefault(tag, blob[at + 8 : at + 8 + size])
        at += 8 + size + (size & 1)  # chunks are padded to an even length
    return found


_PCM, _FLOAT, _EXTENSIBLE = 1, 3, 0xFFFE
_G711 = {7: "audio/pcmu", 6: "audio/pcma"}  # a phone line's recordings: u-law, A-law


def _float_to_pcm16(data: bytes) -> bytes:
    values = array("f")
    values.frombytes(data[: len(data) - len(data) % 4])
    return array("h", map(_sample, values)).tobytes()


def _sample(value: float) -> int:
    """A float sample as pcm16: clipped (an infinity too); a NaN, which a broken writer may
    leave, is silence."""
    if value != value:
        return 0
    return max(-32768, min(32767, round(max(-2.0, min(2.0, value)) * 32767)))


def read_wav(path: str | Path, *, rate: int = RATE) -> tuple[bytes, WavInfo]:
    """The file as mono pcm16 at ``rate`` (24 kHz, the session's), and what it was.

    Reads integer PCM of 8 to 32 bits, 32-bit float, and G.711 (u-law and A-law, as a
    phone line's recordings are), plain or ``WAVE_FORMAT_EXTENSIBLE`` (what sox and most
    editors write past 16 bits or 2 channels).
    """
    try:
        chunks = _chunks(Path(path).read_bytes())
        fmt, data = chunks[b"fmt "], chunks[b"data"]
        tag, channels, frame_rate = struct.unpack_from("<HHI", fmt)
        bits = struct.unpack_from("<H", fmt, 14)[0]
        if tag == _EXTENSIBLE:
            tag = struct.unpack_from("<H", fmt, 24)[0]  # the sub-format GUID's first field
    except KeyError as exc:
        raise WavError(f"{path}: not a PCM WAV file (no {exc.args[0]!r} chunk)") from None
    except (struct.error, WavError) as exc:
        raise WavError(f"{path}: not a PCM WAV file ({exc})") from None
    width = (bits + 7) // 8
    if channels < 1 or frame_rate < 1 or width < 1:
        raise WavError(f"{path}: not a PCM WAV file (bad format chunk)")
    info = WavInfo(frame_rate, channels, width, len(data) // (width * channels))
    if tag == _FLOAT and bits == 32:
        pcm = _float_to_pcm16(data)
    elif tag == _PCM:
        pcm = _to_pcm16(data, width)
    elif tag in _G711 and bits == 8:
        pcm = g711_decode(data, _G711[tag]).tobytes()
    else:
        raise WavError(f"{path}: format {tag} with {bits}-bit samples is not supported")
    return resample(pcm, info.rate, rate, channels=info.channels), info


def write_wav(path: str | Path, pcm: bytes, *, rate: int = RATE) -> None:
    """Mono pcm16 at ``rate`` as a WAV file."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm)
