"""G.711 is upsampled through a low-pass, which needs the samples after each: decoded one
delta at a time on its own, each delta's edges would be off by thousands (a click every
delta). Every reader of a stream of deltas decodes it as one (``Decoder``): ``LocalVoice``,
the emulator's WebRTC playout (what a browser hears from the emulator) and ``rtagents
run``'s ``--out`` recording."""

from __future__ import annotations

import base64
import math
from array import array
from types import SimpleNamespace
from typing import Any

from rtagents._cli_talk import collect_voice
from rtagents.audio.formats import g711, to_pcm16
from rtagents.emulator.webrtc.playout import Playout

FMT = "audio/pcmu"


def _voice_ulaw(ms: int) -> bytes:
    n = 8 * ms
    pcm = array(
        "h",
        [
            round(
                8000 * math.sin(2 * math.pi * 440 * i / 8000)
                + 4000 * math.sin(2 * math.pi * 1300 * i / 8000)
            )
            for i in range(n)
        ],
    )
    return g711(pcm, FMT)


def _deltas(data: bytes, size: int = 160) -> list[str]:  # 20 ms at 8 kHz
    return [base64.b64encode(data[i : i + size]).decode() for i in range(0, len(data), size)]


def _worst(got: bytes, data: bytes, held: int = 0) -> int:
    """The largest difference from the whole stream decoded at once (``held``: samples at
    its end still waiting for a next delta, left out)."""
    whole = to_pcm16(data, FMT)
    pieces = array("h")
    pieces.frombytes(got)
    assert len(pieces) == len(whole)
    end = len(whole) - held
    return max(abs(a - b) for a, b in zip(pieces[:end], whole[:end], strict=True))


def test_run_out_recording_of_g711_deltas_is_the_whole_stream() -> None:
    data = _voice_ulaw(500)
    heard: list[bytes] = []
    handlers: dict[str, list[Any]] = {}

    def on(kind: str) -> Any:
        return lambda handler: handlers.setdefault(kind, []).append(handler)

    collect_voice(SimpleNamespace(output_format=FMT, on=on), heard)
    (collect,) = handlers["response.output_audio.delta"]
    for delta in _deltas(data):
        collect(SimpleNamespace(delta=delta))
    for done in handlers["response.done"]:  # the answer's end: what waited is kept
        done(SimpleNamespace(type="response.done"))
    assert _worst(b"".join(heard), data) < 100


def test_run_out_recording_follows_the_format_in_the_events_order() -> None:
    """Handlers are told after the frames at hand are decided: a pcm16 answer's deltas may be
    told after the core read a ``session.updated`` to G.711 behind them (a handoff), when
    ``session.output_format`` is already G.711. Each delta is decoded as the events before
    it say, not as the latest report."""
    pcm = array("h", [1000, -1000] * 2400).tobytes()  # 100 ms at 24 kHz
    heard: list[bytes] = []
    handlers: dict[str, list[Any]] = {}

    def on(kind: str) -> Any:
        return lambda handler: handlers.setdefault(kind, []).append(handler)

    collect_voice(SimpleNamespace(output_format="audio/pcm", on=on), heard)
    (collect,) = handlers["response.output_audio.delta"]
    collect(SimpleNamespace(delta=base64.b64encode(pcm).decode()))  # told after the update
    (done,) = handlers["response.done"]
    done(SimpleNamespace(type="response.done"))
    assert b"".join(heard) == pcm
    g711_session = {"audio": {"output": {"format": {"type": FMT}}}}
    for configured in handlers["session.updated"]:
        configured(SimpleNamespace(type="session.updated", session=g711_session))
    data = _voice_ulaw(100)
    heard.clear()
    for delta in _deltas(data):
        collect(SimpleNamespace(delta=delta))
    done(SimpleNamespace(type="response.done"))
    assert _worst(b"".join(heard), data) < 100


def test_emulator_webrtc_playout_of_g711_deltas_is_the_whole_stream() -> None:
    data = _voice_ulaw(500)
    session = {"audio": {"output": {"format": {"type": FMT}}}}
    playout = Playout(lambda: session)
    for delta in _deltas(data):
        playout.outgoing(
            {
                "type": "response.output_audio.delta",
                "response_id": "resp_1",
                "item_id": "item_1",
                "content_index": 0,
                "delta": delta,
            }
        )
    got, _ = playout.pull(6 * len(data))
    assert _worst(got, data, held=24) < 100  # (its last 0.75 ms wait for a next delta)
