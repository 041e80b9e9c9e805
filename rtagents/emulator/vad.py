"""Server VAD from audio energy, sans I/O: feed samples, get speech start and stop times."""

from __future__ import annotations

from array import array
from dataclasses import dataclass

from .audio import RATE, rms

FRAME_MS = 10
_FRAME = RATE * FRAME_MS // 1000


@dataclass
class VadEvent:
    kind: str  # "started" or "stopped"
    audio_ms: int  # for "started": where speech begins, prefix padding included


class EnergyVad:
    """Decides speech per 10 ms frame by RMS energy, on audio time (not wall time).

    A frame starts speech when its RMS amplitude, as a fraction of full scale, exceeds
    ``threshold / 10`` (the default 0.5 means about -26 dBFS); once speech has started, a
    frame goes on with it down to half of that (6 dB lower): the unvoiced sounds of a word
    ("th", "s", "f") are quieter than its vowels, and are no pause; a room's steady noise
    below that (a fan) does not hold a turn open. Speech stops after
    ``silence_duration_ms`` of frames below that. Working on audio time keeps tests exact.
    """

    def __init__(
        self,
        *,
        threshold: float = 0.5,
        prefix_padding_ms: int = 300,
        silence_duration_ms: int = 200,
        position_ms: int = 0,
        floor_ms: int = 0,
    ) -> None:
        self.level = threshold / 10
        self.prefix_padding_ms = prefix_padding_ms
        self.silence_duration_ms = silence_duration_ms
        self.position_ms = position_ms
        self.speaking = False
        self._silent_ms = 0
        self._floor_ms = floor_ms  # padding never reaches into a turn already ended
        self._pending = array("h")

    def feed(self, pcm: array[int]) -> list[VadEvent]:
        self._pending.extend(pcm)
        events: list[VadEvent] = []
        whole = len(self._pending) - len(self._pending) % _FRAME
        for start in range(0, whole, _FRAME):
            level = self.level / 2 if self.speaking else self.level
            loud = rms(self._pending[start : start + _FRAME]) > level
            self.position_ms += FRAME_MS
            if not self.speaking and loud:
                self.speaking = True
                self._silent_ms = 0
                begin = self.position_ms - FRAME_MS
                padded = max(self._floor_ms, begin - self.prefix_padding_ms)
                events.append(VadEvent("started", padded))
            elif self.speaking:
                self._silent_ms = 0 if loud else self._silent_ms + FRAME_MS
                if self._silent_ms >= self.silence_duration_ms:
                    self.speaking = False
                    self._floor_ms = self.position_ms
                    events.append(VadEvent("stopped", self.position_ms))
        del self._pending[:whole]
        return events

    def reset(self) -> None:
        """The buffer was committed or cleared: what came before is no one's turn now."""
        self.speaking = False
        self._silent_ms = 0
        self._floor_ms = self.position_ms
