"""``read_wav`` reads a phone line's recordings, G.711 u-law and A-law WAV files (format 7
and 6, 8 kHz, as sox and telephony systems write them): the same speech as the 16-bit file
they were made from, at the session's rate, within G.711's own quantisation."""

from __future__ import annotations

from array import array
from pathlib import Path

import pytest

from rtagents.audio.wavfile import read_wav
from tests.speech import espeak, sox


def correlation(a: array[int], b: array[int]) -> float:
    n = min(len(a), len(b))
    dot = sum(x * y for x, y in zip(a[:n], b[:n], strict=True))
    norm = (sum(x * x for x in a[:n]) * sum(y * y for y in b[:n])) ** 0.5
    return dot / norm if norm else 0.0


@pytest.mark.parametrize("encoding", ["u-law", "a-law"])
def test_a_g711_wav_reads_as_its_speech(tmp_path: Path, encoding: str) -> None:
    speech = espeak("Your table is booked for eight.", tmp_path / "speech.wav")
    narrow = sox(speech, tmp_path / "pcm8k.wav", "-r", "8000", "-b", "16")
    coded = sox(narrow, tmp_path / "g711.wav", "-e", encoding, "-b", "8")
    pcm, info = read_wav(coded)
    reference, _ = read_wav(narrow)
    assert (info.rate, info.channels, info.sample_width) == (8000, 1, 1)
    assert abs(len(pcm) - len(reference)) <= 2
    assert correlation(array("h", pcm), array("h", reference)) > 0.99
