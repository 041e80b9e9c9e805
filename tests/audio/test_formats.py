"""G.711 in rtagents.audio against the standard library's ``audioop`` (where it still is),
on every 16-bit sample value and every byte."""

from __future__ import annotations

import math
import struct
import warnings
from array import array

import pytest

from rtagents.audio import formats

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    audioop = pytest.importorskip("audioop", reason="audioop left the standard library in 3.13")


def every_sample() -> array[int]:
    return array("h", range(-32768, 32768))


@pytest.mark.parametrize(
    ("fmt", "encode"), [("audio/pcmu", "lin2ulaw"), ("audio/pcma", "lin2alaw")]
)
def test_encoding_matches_on_all_65536_samples(fmt: str, encode: str) -> None:
    pcm = every_sample()
    ours = formats.g711(pcm, fmt)
    theirs = getattr(audioop, encode)(pcm.tobytes(), 2)
    assert ours == theirs
    # At 24 kHz it is the same codec on the samples ``downsample`` keeps.
    tone = array("h", (round(9000 * math.sin(i / 7)) for i in range(2400)))
    assert formats.from_pcm16(tone, fmt) == formats.g711(formats.downsample(tone), fmt)


def test_g711_output_keeps_speech_and_drops_what_8_khz_cannot_carry() -> None:
    """24 kHz to 8 kHz is low-passed first: a 6 kHz tone (the top of espeak's fricatives)
    would otherwise fold back to 2 kHz at full strength; a 1 kHz one goes through whole."""

    def level(hz: int) -> float:
        pcm = array(
            "h", (round(16000 * math.sin(2 * math.pi * hz * i / 24000)) for i in range(4800))
        )
        back = formats.to_pcm16(formats.from_pcm16(pcm, "audio/pcmu"), "audio/pcmu")
        return math.sqrt(sum(v * v for v in back) / len(back)) / (16000 / math.sqrt(2))

    assert level(1000) > 0.9
    assert level(6000) < 0.05


def test_downsample_keeps_every_third_sample_of_a_steady_signal() -> None:
    assert formats.downsample(array("h")) == array("h")
    assert formats.downsample(array("h", [1000] * 7)) == array("h", [1000] * 3)


def test_a_stream_in_chunks_is_converted_as_if_whole() -> None:
    pcm = array("h", (round(9000 * math.sin(i / 3)) for i in range(4801)))
    whole = formats.from_pcm16(pcm, "audio/pcma")
    chunks = [formats.from_pcm16(pcm, "audio/pcma", at, at + 960) for at in range(0, 4801, 960)]
    assert b"".join(chunks) == whole


@pytest.mark.parametrize(
    ("fmt", "decode"), [("audio/pcmu", "ulaw2lin"), ("audio/pcma", "alaw2lin")]
)
def test_decoding_matches_on_all_256_bytes(fmt: str, decode: str) -> None:
    data = bytes(range(256))
    ours = formats.to_pcm16(data, fmt)[::3]
    theirs = struct.unpack("<256h", getattr(audioop, decode)(data, 2))
    assert list(ours) == list(theirs)


def test_the_output_format_is_read_alike_from_a_model_and_from_its_json() -> None:
    from rtagents import protocol as p
    from rtagents.protocol.audio_formats import output_format

    config = {"type": "realtime", "audio": {"output": {"format": {"type": "audio/pcmu"}}}}
    assert output_format(config) == "audio/pcmu"
    assert output_format(p.SessionConfig.model_validate(config)) == "audio/pcmu"
    assert output_format({}) == output_format({"audio": None}) == "audio/pcm"
    assert output_format({"audio": {"output": {"format": {"type": 5}}}}) == "audio/pcm"
