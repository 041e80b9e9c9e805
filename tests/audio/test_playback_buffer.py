"""The playback buffer counts what a device actually read, per item, and a clear stops it."""

from __future__ import annotations

import threading

from rtagents.audio import AudioPlayer, PlaybackBuffer

MS = 48  # bytes of pcm16 at 24 kHz per millisecond


def test_it_is_an_audio_player() -> None:
    assert isinstance(PlaybackBuffer(), AudioPlayer)


def test_played_is_what_the_device_read_of_that_item() -> None:
    buffer = PlaybackBuffer()
    buffer.feed("a", b"\1" * 2000 * MS)
    assert buffer.played_ms("a") == 0
    for _ in range(20):  # 20 blocks of 20 ms
        assert buffer.read(20 * MS) == b"\1" * 20 * MS
    assert buffer.played_ms("a") == 400
    assert buffer.queued_ms == 1600
    assert buffer.played_ms("never-fed") == 0


def test_items_are_counted_apart_within_one_read() -> None:
    buffer = PlaybackBuffer()
    buffer.feed("a", b"\1" * 30 * MS)
    buffer.feed("b", b"\2" * 30 * MS)
    block = buffer.read(50 * MS)
    assert block == b"\1" * 30 * MS + b"\2" * 20 * MS
    assert (buffer.played_ms("a"), buffer.played_ms("b")) == (30, 20)


def test_a_dry_queue_plays_silence_and_clear_drops_the_rest() -> None:
    buffer = PlaybackBuffer()
    buffer.feed("a", b"\1" * 100 * MS)
    buffer.read(40 * MS)
    buffer.clear()
    assert buffer.read(20 * MS) == bytes(20 * MS)
    assert buffer.played_ms("a") == 40
    assert not buffer.sounding() or buffer.queued_ms == 0


def test_device_latency_is_not_counted_as_heard() -> None:
    buffer = PlaybackBuffer(latency_ms=30)
    buffer.feed("a", b"\1" * 100 * MS)
    buffer.read(20 * MS)
    assert buffer.played_ms("a") == 0  # read, but still on its way to the speaker
    buffer.read(40 * MS)
    assert buffer.played_ms("a") == 30


def test_the_device_thread_and_the_loop_do_not_lose_bytes() -> None:
    buffer = PlaybackBuffer(rate=8_000)
    total = 0

    def device() -> None:
        nonlocal total
        for _ in range(4000):
            total += len(buffer.read(16).rstrip(b"\0"))

    thread = threading.Thread(target=device)
    thread.start()
    for _ in range(2000):
        buffer.feed("a", b"\1" * 16)
    thread.join()
    total += len(buffer.read(10**6).rstrip(b"\0"))
    assert total == 2000 * 16
    assert buffer.played_ms("a") == 2000 * 16 * 1000 // 16_000


def test_sounding_includes_the_echo_tail() -> None:
    buffer = PlaybackBuffer()
    assert not buffer.sounding(300)
    buffer.feed("a", b"\1" * 20 * MS)
    assert buffer.sounding()
    buffer.read(20 * MS)
    assert buffer.sounding(300)  # just stopped: its echo is still in the room
    assert not buffer.sounding(0)
