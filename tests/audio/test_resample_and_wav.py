"""Resampling (libsoxr) and WAV files at any rate, channel count and sample width, checked
against sox, which made the files and resampled the same speech independently."""

from __future__ import annotations

import math
import subprocess
import sys
import wave
from array import array
from pathlib import Path

import numpy as np
import pytest

from rtagents.audio import (
    AudioExtraMissing,
    StreamResampler,
    WavError,
    read_wav,
    resample,
    write_wav,
)
from tests.speech import espeak, need, sox, soxi


def sine(rate: int, seconds: float, freq: float = 440.0, amp: float = 0.5) -> bytes:
    n = int(rate * seconds)
    return array(
        "h", (int(amp * 32767 * math.sin(2 * math.pi * freq * i / rate)) for i in range(n))
    ).tobytes()


def pitch(pcm: bytes, rate: int) -> float:
    """The frequency of a sine, from its zero crossings."""
    x = np.frombuffer(pcm, dtype="<i2").astype(float)
    crossings = np.count_nonzero(np.diff(np.signbit(x)))
    return crossings / 2 / (len(x) / rate)


def peak(pcm: bytes) -> int:
    return int(np.abs(np.frombuffer(pcm, dtype="<i2")).max())


@pytest.mark.parametrize("src", [8_000, 16_000, 22_050, 44_100, 48_000])
def test_a_sine_keeps_its_pitch_and_loudness_at_24k(src: int) -> None:
    out = resample(sine(src, 1.0), src, 24_000)
    assert abs(len(out) // 2 - 24_000) <= 2
    assert pitch(out, 24_000) == pytest.approx(440, rel=0.01)
    assert peak(out) == pytest.approx(0.5 * 32767, rel=0.03)


def test_speech_resampled_matches_sox(tmp_path: Path) -> None:
    raw = espeak("The quick brown fox jumps over the lazy dog.", tmp_path / "raw.wav")
    by_sox = sox(raw, tmp_path / "sox.wav", "-r", "24000")
    with wave.open(str(raw)) as w:
        ours = resample(w.readframes(w.getnframes()), w.getframerate(), 24_000)
    with wave.open(str(by_sox)) as w:
        theirs = w.readframes(w.getnframes())
    a = np.frombuffer(ours, dtype="<i2").astype(float)
    b = np.frombuffer(theirs, dtype="<i2").astype(float)
    n = min(len(a), len(b))
    assert abs(len(a) - len(b)) < 24  # within 1 ms
    assert np.corrcoef(a[:n], b[:n])[0, 1] > 0.99


def test_channels_are_averaged() -> None:
    left = np.frombuffer(sine(24_000, 0.5), dtype="<i2")
    stereo = np.column_stack([left, np.zeros_like(left)]).astype("<i2").tobytes()
    out = resample(stereo, 24_000, 24_000, channels=2)
    assert len(out) == len(left) * 2
    assert peak(out) == pytest.approx(peak(left.tobytes()) / 2, abs=2)


def test_a_stream_in_chunks_matches_one_pass() -> None:
    pcm = sine(48_000, 1.0)
    stream = StreamResampler(48_000, 24_000)
    chunk = 1920  # 20 ms
    pieces = [stream.push(pcm[i : i + chunk]) for i in range(0, len(pcm), chunk)]
    pieces.append(stream.flush())
    whole = b"".join(pieces)
    assert abs(len(whole) // 2 - 24_000) <= 2
    assert pitch(whole, 24_000) == pytest.approx(440, rel=0.01)


def test_the_same_rate_mono_is_passed_through_without_the_extra() -> None:
    pcm = sine(24_000, 0.1)
    assert resample(pcm, 24_000, 24_000) is pcm
    assert StreamResampler(24_000, 24_000).push(pcm) is pcm


def test_without_the_extra_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "soxr", None)  # as if it were not installed
    with pytest.raises(AudioExtraMissing, match=r"rtagents\[audio\]"):
        resample(sine(16_000, 0.1), 16_000, 24_000)


def synth(path: Path, seconds: float, *options: str) -> Path:
    """sox makes a 440 Hz sine at half scale: ``options`` set rate, channels and encoding."""
    need("sox")
    effects = ["synth", str(seconds), "sine", "440", "vol", "0.5"]
    subprocess.run(["sox", "-n", *options, str(path), *effects], check=True)
    return path


@pytest.mark.parametrize(
    ("rate", "channels", "bits"),
    [
        (8_000, 1, 8),
        (16_000, 1, 16),
        (44_100, 2, 16),
        (48_000, 2, 24),
        (96_000, 1, 32),
        (24_000, 1, 16),
    ],
)
def test_any_wav_sox_writes_is_read_as_24k_mono(
    tmp_path: Path, rate: int, channels: int, bits: int
) -> None:
    path = tmp_path / "in.wav"
    synth(path, 1.5, "-r", str(rate), "-c", str(channels), "-b", str(bits))
    pcm, info = read_wav(path)
    assert (info.rate, info.channels, info.sample_width) == (rate, channels, bits // 8)
    assert info.seconds == pytest.approx(1.5)
    assert abs(len(pcm) // 2 - 36_000) <= 3
    assert pitch(pcm, 24_000) == pytest.approx(440, rel=0.01)
    assert peak(pcm) == pytest.approx(0.5 * 32767, rel=0.05)


def test_float_wavs_are_read(tmp_path: Path) -> None:
    path = tmp_path / "float.wav"
    synth(path, 1, "-r", "16000", "-e", "floating-point", "-b", "32")
    pcm, info = read_wav(path)
    assert info.rate == 16_000 and pitch(pcm, 24_000) == pytest.approx(440, rel=0.01)
    assert peak(pcm) == pytest.approx(0.5 * 32767, rel=0.05)


def test_written_wavs_are_what_sox_reads(tmp_path: Path) -> None:
    path = tmp_path / "out.wav"
    write_wav(path, sine(24_000, 2.0))
    assert (soxi(path, "-r"), soxi(path, "-c"), soxi(path, "-b")) == ("24000", "1", "16")
    assert float(soxi(path, "-D")) == pytest.approx(2.0)


def test_a_file_that_is_not_wav_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.wav"
    path.write_text("not audio")
    with pytest.raises(WavError, match="not a PCM WAV"):
        read_wav(path)
