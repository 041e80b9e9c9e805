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
    ours = formats.g711_decode(data, fmt)  # (to_pcm16 then upsamples it to 24 kHz)
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


@pytest.mark.parametrize("fmt", ["audio/pcmu", "audio/pcma", "audio/pcm"])
def test_an_encoder_given_a_stream_in_frames_encodes_it_as_if_whole(fmt: str) -> None:
    """A call's microphone comes in 20 ms frames (480 samples); each encoded alone would
    have the filter read a made-up edge at every frame's ends (a 50 Hz artefact)."""
    pcm = array("h", (int(9000 * math.sin(i / 7) + 3000 * math.sin(i / 2)) for i in range(4800)))
    encoder = formats.Encoder(fmt)
    framed = b"".join(encoder.encode(pcm[at : at + 480]) for at in range(0, 4800, 480))
    whole = formats.from_pcm16(pcm, fmt)
    if fmt == "audio/pcm":
        assert framed == whole
    else:  # all but the last few kept samples, which wait for the audio after them
        assert framed == whole[: len(framed)] and 0 < len(whole) - len(framed) <= 6
    assert encoder.encode(array("h")) == b""


def test_an_encoder_takes_frames_of_any_size() -> None:
    pcm = array("h", (int(8000 * math.sin(i / 5)) for i in range(3000)))
    encoder, at, out = formats.Encoder("audio/pcmu"), 0, b""
    for size in (1, 2, 5, 17, 100, 479, 1000):
        out += encoder.encode(pcm[at : at + size])
        at += size
    out += encoder.encode(pcm[at:])
    whole = formats.from_pcm16(pcm, "audio/pcmu")
    assert out == whole[: len(out)] and len(whole) - len(out) <= 6


@pytest.mark.parametrize("fmt", ["audio/pcmu", "audio/pcma"])
def test_a_stream_of_g711_pieces_decodes_as_if_whole(fmt: str) -> None:
    """A call's deltas, decoded one by one (``Decoder``): the same samples as the whole, so
    the filter leaves no click at the pieces' edges."""
    import math
    from array import array

    tone = array("h", (int(8000 * math.sin(2 * math.pi * 440 * i / 8000)) for i in range(4000)))
    data = formats.g711(tone, fmt)
    whole = formats.to_pcm16(data, fmt)
    decoder = formats.Decoder(fmt)
    pieces = [decoder.decode(data[at : at + 161]) for at in range(0, len(data), 161)]
    streamed = array("h", b"".join(p.tobytes() for p in [*pieces, decoder.flush()]))
    assert streamed == whole
    assert len(whole) == 3 * len(data)
