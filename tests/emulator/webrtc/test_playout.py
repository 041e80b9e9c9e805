"""A WebRTC call's output audio buffer, sans I/O: what the caller heard of an item when
they barge in, counted across the buffer running dry between its deltas."""

from __future__ import annotations

import base64
from typing import Any

from rtagents.emulator.webrtc.playout import Playout

SESSION = {
    "audio": {
        "input": {"turn_detection": {"type": "server_vad"}},
        "output": {"format": {"type": "audio/pcm", "rate": 24000}},
    }
}


def delta(item_id: str, ms: int) -> dict[str, Any]:
    audio = base64.b64encode(b"\x10\x00" * 24 * ms).decode()
    return {
        "type": "response.output_audio.delta",
        "response_id": "resp_1",
        "item_id": item_id,
        "content_index": 0,
        "delta": audio,
    }


def test_barge_in_truncates_the_item_at_what_has_played() -> None:
    truncated: list[dict[str, Any]] = []
    playout = Playout(lambda: SESSION, truncate=truncated.append)
    started = playout.outgoing(delta("item_a", 40))
    assert [e["type"] for e in started] == ["output_audio_buffer.started"]
    playout.pull(48 * 60)  # 40 ms of it, then 20 ms of silence: the deltas came slowly
    playout.outgoing(delta("item_a", 100))
    playout.pull(48 * 30)
    out = playout.outgoing({"type": "input_audio_buffer.speech_started"})
    assert [e["type"] for e in out] == [
        "input_audio_buffer.speech_started",
        "output_audio_buffer.cleared",
    ]
    assert truncated == [
        {
            "type": "conversation.item.truncate",
            "item_id": "item_a",
            "content_index": 0,
            "audio_end_ms": 70,
        }
    ]
    assert not playout.playing
    assert playout.pull(96) == (bytes(96), [])


def test_speech_with_nothing_playing_truncates_nothing() -> None:
    truncated: list[dict[str, Any]] = []
    playout = Playout(lambda: SESSION, truncate=truncated.append)
    out = playout.outgoing({"type": "input_audio_buffer.speech_started"})
    assert [e["type"] for e in out] == ["input_audio_buffer.speech_started"]
    assert truncated == []
