"""A clear is a cut: audio of the cleared item that is fed afterwards is not played.

The session clears the player on a barge-in as soon as it reads it, while the app's speaker
loop (``LocalVoice``'s, say) may still hold deltas of that item that it read earlier: under
load they came in after the clear and sounded after the user had cut the agent off.
"""

from __future__ import annotations

from rtagents.audio import PlaybackBuffer

MS = 48  # bytes of pcm16 at 24 kHz per millisecond


def test_late_audio_of_a_cleared_item_is_dropped_and_the_next_item_plays() -> None:
    buffer = PlaybackBuffer()
    buffer.feed("a", b"\1" * 100 * MS)
    buffer.read(40 * MS)
    buffer.clear()
    buffer.feed("a", b"\1" * 20 * MS)  # read by the app before the barge-in, fed after it
    assert buffer.queued_ms == 0
    assert buffer.read(20 * MS) == bytes(20 * MS)
    assert buffer.played_ms("a") == 40
    buffer.feed("b", b"\2" * 20 * MS)  # the next answer
    assert buffer.read(20 * MS) == b"\2" * 20 * MS


def test_an_item_played_to_the_end_of_its_queue_is_cut_too() -> None:
    buffer = PlaybackBuffer()
    buffer.feed("a", b"\1" * 20 * MS)
    buffer.read(20 * MS)  # the device caught up: nothing of "a" is queued, more is coming
    buffer.clear()
    buffer.feed("a", b"\1" * 20 * MS)
    assert buffer.queued_ms == 0
    assert buffer.played_ms("a") == 20
