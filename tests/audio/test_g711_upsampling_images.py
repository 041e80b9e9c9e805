"""``to_pcm16`` turns 8 kHz G.711 into 24 kHz pcm16 by repeating each sample three times
(rtagents/audio/formats.py, ``to_pcm16``): a zero-order hold with no interpolation filter.
Every tone below 4 kHz comes with images at 8 kHz +/- f and 16 kHz +/- f only ~13 dB down.
This is what LocalVoice plays and what ``rtagents run --out`` writes for a G.711 agent
(``input_audio_format``/``output_audio_format="pcmu"``): a harsh, metallic voice. The
downsampling direction is low-passed (-78 dB at 6 kHz); upsampling should be too (or use
the soxr resampler the package already depends on for other rates)."""

from __future__ import annotations

import math
from array import array

import numpy as np

from rtagents.audio.formats import g711, to_pcm16


def _out_of_band_db(fmt: str) -> float:
    tone = array("h", (int(10_000 * math.sin(2 * math.pi * 1000 * i / 8000)) for i in range(8000)))
    pcm = np.array(to_pcm16(g711(tone, fmt), fmt), dtype=float)
    power = np.abs(np.fft.rfft(pcm * np.hanning(len(pcm)))) ** 2
    freq = np.fft.rfftfreq(len(pcm), 1 / 24_000)
    return float(10 * np.log10(power[freq > 4200].sum() / power[freq < 4000].sum()))


def test_ulaw_decoded_to_24k_has_no_images_above_4khz() -> None:
    assert _out_of_band_db("audio/pcmu") < -40


def test_alaw_decoded_to_24k_has_no_images_above_4khz() -> None:
    assert _out_of_band_db("audio/pcma") < -40
