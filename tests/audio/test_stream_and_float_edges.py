"""audio layer edge cases.

1. StreamResampler.push drops the bytes past the last whole frame of each chunk
   (resample._mono truncates) instead of carrying them to the next chunk: a stream pushed
   in chunks that do not end on a frame (bytes read from a socket or a pipe) loses audio
   and every later sample is read from the wrong byte (noise). Right: keep the remainder
   and prepend it to the next push (and the same-rate path, which returns odd chunks as
   they are, would then agree with it).
2. read_wav on a 32-bit float WAV holding NaN or inf raises a bare ValueError /
   OverflowError from round(), not WavError, so `rtagents run --in` shows a traceback.
   Right: map non-finite samples to 0 (or clip inf) or raise WavError.
"""

from __future__ import annotations

import math
import struct
from array import array
from pathlib import Path

from rtagents.audio import StreamResampler, read_wav, resample


def _tone(rate: int, n: int) -> bytes:
    return array(
        "h", [int(10_000 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(n)]
    ).tobytes()


def test_stream_resampler_keeps_bytes_of_a_chunk_that_splits_a_sample() -> None:
    pcm = _tone(16_000, 1600)  # 100 ms
    whole = StreamResampler(16_000, 24_000)
    expected = whole.push(pcm) + whole.flush()
    chunked = StreamResampler(16_000, 24_000)
    out = b"".join(chunked.push(pcm[i : i + 301]) for i in range(0, len(pcm), 301))
    out += chunked.flush()
    assert len(out) == len(expected) == len(resample(pcm, 16_000, 24_000))


def test_stream_resampler_stereo_chunks_that_split_a_frame() -> None:
    frames = array("h", [100, 300] * 480).tobytes()  # 20 ms stereo at 24 kHz
    stream = StreamResampler(24_000, 24_000, channels=2)
    out = b"".join(stream.push(frames[i : i + 6]) for i in range(0, len(frames), 6))
    assert array("h", out).tolist() == [200] * 480


def _float_wav(path: Path, values: list[float]) -> Path:
    fmt = struct.pack("<HHIIHH", 3, 1, 24_000, 96_000, 4, 32)
    data = struct.pack(f"<{len(values)}f", *values)
    body = b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt + b"data"
    body += struct.pack("<I", len(data)) + data
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    return path


def test_float_wav_with_nan_or_inf_is_read_or_is_a_wav_error(tmp_path: Path) -> None:
    from rtagents.audio import WavError

    for name, bad in (("nan", float("nan")), ("inf", float("inf"))):
        path = _float_wav(tmp_path / f"{name}.wav", [0.1, bad, -0.1])
        try:
            pcm, _ = read_wav(path)
        except WavError:
            continue
        assert len(pcm) == 6
