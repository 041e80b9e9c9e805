"""G.711 in rtagents.audio against the standard library's ``audioop`` (where it still is),
on every 16-bit sample value and every byte."""

from __future__ import annotations

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
    # from_pcm16 takes 24 kHz samples and keeps every third (8 kHz): give each value thrice.
    tripled = array("h", (v for v in pcm for _ in range(3)))
    ours = formats.from_pcm16(tripled, fmt)
    theirs = getattr(audioop, encode)(pcm.tobytes(), 2)
    assert ours == theirs


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
