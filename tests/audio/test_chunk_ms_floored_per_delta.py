"""How long an item's audio is, and where a mark stands in it, is counted in bytes of the
whole item, not as a sum of each chunk's floored milliseconds. The Realtime API does not
promise deltas of whole milliseconds (G.711 at 8 bytes/ms, pcm16 at 48 bytes/ms), and
``TwilioPlayer``'s docstring says "the mark stands for the end of that chunk in its item":
after 40 chunks of 100 bytes of u-law (12.5 ms each) echoed by Twilio, the caller heard
500 ms, and a barge-in truncates there, not at 480 ms. The session's own count of an item
(``Playback.ms``, which clamps every truncate) has the same rule: ``PlaybackBuffer`` counts
the same audio as 500 ms played, and the truncate must not cut it to 480 ms."""

from __future__ import annotations

import base64
from typing import Any

from rtagents import protocol as p
from rtagents.calls.twilio import TwilioPlayer
from rtagents.session.playback import Playback

CHUNK = bytes(range(100))  # 100 bytes of u-law: 12.5 ms
PAYLOAD = base64.b64encode(CHUNK).decode()


def test_twilio_marks_count_the_audio_sent_exactly() -> None:
    sent: list[dict[str, Any]] = []
    player = TwilioPlayer("MZ" + "0" * 32, sent.append)
    for _ in range(40):
        player.play("item_1", PAYLOAD)
    last = [m for m in sent if m["event"] == "mark"][-1]["mark"]["name"]
    player.acknowledged(last)  # Twilio played all 4,000 bytes: 500 ms
    assert player.played_ms("item_1") == 500


def test_the_session_truncates_where_the_player_says_it_stopped() -> None:
    playback = Playback()
    playback.configured({"audio": {"output": {"format": {"type": "audio/pcmu"}}}})
    for _ in range(40):
        playback.delta(
            p.ResponseOutputAudioDelta(
                event_id="e",
                response_id="r",
                item_id="item_1",
                output_index=0,
                content_index=0,
                delta=PAYLOAD,
            )
        )
    # The player (a PlaybackBuffer counts bytes) played 500 ms of the 500 ms received, while
    # more of the answer is still coming: the cut is at 500 ms.
    truncate = playback.truncate(500, "ev")
    assert truncate is not None and truncate.audio_end_ms == 500, truncate
