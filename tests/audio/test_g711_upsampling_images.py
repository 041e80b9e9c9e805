"""``to_pcm16`` turns 8 kHz G.711 into 24 kHz pcm16 through a low-pass
(rtagents/audio/formats.py, ``upsample``): two zeros after each sample, then the same filter as
the downsampling direction (-78 dB at 6 kHz). A 1 kHz tone, u-law or A-law, comes out with its
power above 4.2 kHz more than 40 dB under its power below 4 kHz. Repeating each sample three
times instead (a zero-order hold) leaves images at 8 kHz +/- f and 16 kHz +/- f only ~13 dB
down. That is what LocalVoice plays and what ``rtagents run --out`` writes for a G.711 agent
(``input_audio_format``/``output_audio_format="pcmu"``), so the images would be heard as a
harsh, metallic voice."""

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
