"""``PlaybackBuffer``: the assistant's audio queued for a speaker, and how much of each item
was played, so that a barge-in truncates where the user stopped hearing (an ``AudioPlayer``).

The session feeds it on its event loop; a device's callback reads it on the device's own
thread, so the two meet under a lock and do nothing slow while holding it.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque

from .formats import RATE

_REMEMBERED_ITEMS = 64  # played counts kept for the latest items (a truncate asks the latest)


class PlaybackBuffer:
    """Mono pcm16 at ``rate`` per assistant item, read out by a device.

    ``latency_ms`` is how long the device takes from reading audio to sounding it (what
    PortAudio reports as output latency): audio read less than that long ago does not count
    as played yet.
    """

    def __init__(self, *, rate: int = RATE, latency_ms: int = 0) -> None:
        self.rate = rate
        self.latency_ms = latency_ms
        self._lock = threading.Lock()
        self._queue: deque[tuple[str, memoryview]] = deque()
        self._queued = 0
        # item id -> (bytes read out, monotonic time of its last read)
        self._played: OrderedDict[str, tuple[int, float]] = OrderedDict()
        self._cut: OrderedDict[str, None] = OrderedDict()  # items a clear() stopped
        self._last_sound = 0.0  # monotonic time the device last read real audio

    def feed(self, item_id: str, pcm: bytes) -> None:
        """Queue ``pcm`` (mono pcm16 at ``rate``) of assistant item ``item_id``."""
        with self._lock:
            if not pcm or item_id in self._cut:
                return
            self._queue.append((item_id, memoryview(pcm)))
            self._queued += len(pcm)

    def read(self, nbytes: int) -> bytes:
        """The next ``nbytes`` for the device, padded with silence when the queue runs dry.
        Called from the device's thread."""
        out = bytearray()
        now = time.monotonic()
        with self._lock:
            while len(out) < nbytes and self._queue:
                item_id, chunk = self._queue[0]
                take = chunk[: nbytes - len(out)]
                out += take
                self._queued -= len(take)
                self._count(item_id, len(take), now)
                if len(take) == len(chunk):
                    self._queue.popleft()
                else:
                    self._queue[0] = (item_id, chunk[len(take) :])
            if out:
                self._last_sound = now
        return bytes(out) + bytes(nbytes - len(out))

    def _count(self, item_id: str, nbytes: int, now: float) -> None:
        self._played[item_id] = (self._played.get(item_id, (0, now))[0] + nbytes, now)
        self._played.move_to_end(item_id)
        while len(self._played) > _REMEMBERED_ITEMS:
            self._played.popitem(last=False)

    # -- AudioPlayer ---------------------------------------------------------------------------

    def played_ms(self, item_id: str) -> int | None:
        """Milliseconds of ``item_id`` the device has sounded (0 when none): what it read,
        less what of it is still on its way to the speaker (read in the last ``latency_ms``)."""
        with self._lock:
            nbytes, last_read = self._played.get(item_id, (0, 0.0))
        on_its_way = max(0.0, self.latency_ms - (time.monotonic() - last_read) * 1000)
        # Rounded, not floored: a resampler's stream is a sample short of the exact length
        # about half the time, and an answer heard to its end must not read 1 ms short.
        return max(0, round(nbytes * 1000 / (2 * self.rate)) - math.ceil(on_its_way))

    def clear(self) -> None:
        """Drop what is queued: the device goes silent at its next read. The items it
        stops are cut: audio of theirs fed later is dropped (a barge-in clears as soon as the
        session reads it, while the app's loop may still hold deltas it read before)."""
        with self._lock:
            stopped = [item_id for item_id, _ in self._queue] + list(self._played)[-1:]
            for item_id in stopped:
                self._cut[item_id] = None
                self._cut.move_to_end(item_id)
            while len(self._cut) > _REMEMBERED_ITEMS:
                self._cut.popitem(last=False)
            self._queue.clear()
            self._queued = 0

    def cut(self, item_id: str) -> None:
        """``item_id`` was stopped (a barge-in): audio of it fed from now on is dropped, even
        its first, which the app had not fed yet when the session cleared the player."""
        with self._lock:
            self._cut[item_id] = None
            self._cut.move_to_end(item_id)
            while len(self._cut) > _REMEMBERED_ITEMS:
                self._cut.popitem(last=False)

    # -- for half-duplex -----------------------------------------------------------------------

    @property
    def queued_ms(self) -> int:
        """Audio waiting to be played."""
        return self._queued * 1000 // (2 * self.rate)

    def sounding(self, tail_ms: int = 0) -> bool:
        """Whether the speaker is playing, or stopped less than ``tail_ms`` ago (its echo
        is still in the room)."""
        with self._lock:
            if self._queued:
                return True
            return time.monotonic() - self._last_sound < (tail_ms + self.latency_ms) / 1000
