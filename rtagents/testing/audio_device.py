"""``FakeAudioDevice``: an ``AudioDevice`` with no hardware, for testing local voice.

It runs a clock on its own thread, as a sound card does: each block it hands the next
block of a scripted "microphone" recording to the input callback and asks the output
callback for a block to "play", keeping what it played. ``speed`` runs the clock faster
than real time (the emulator keeps audio time, not wall time).
"""

from __future__ import annotations

import threading
import time

from ..audio.devices import InputCallback, OutputCallback


class FakeAudioDevice:
    """A sound card with no hardware: ``microphone`` is what it records (mono pcm16 at
    ``rate``), ``played`` what it was given to play."""

    def __init__(
        self,
        microphone: bytes = b"",
        *,
        rate: int = 48_000,
        block_ms: int = 20,
        speed: float = 1.0,
        latency_ms: int = 0,
    ) -> None:
        self.rate = rate
        self.latency_ms = latency_ms
        self.block_bytes = 2 * rate * block_ms // 1000
        self._period = block_ms / 1000 / speed
        self._microphone = microphone
        self.played = bytearray()  # everything the output callback gave, silence included
        self.blocks = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def say(self, pcm: bytes) -> None:
        """More microphone audio (mono pcm16 at ``rate``), after what is left."""
        self._microphone += pcm

    @property
    def mic_left_ms(self) -> int:
        return len(self._microphone) * 1000 // (2 * self.rate)

    def start(self, on_input: InputCallback, on_output: OutputCallback) -> None:
        def clock() -> None:
            next_tick = time.monotonic()
            while not self._stop.is_set():
                block = self._microphone[: self.block_bytes]
                self._microphone = self._microphone[len(block) :]
                on_input(block + bytes(self.block_bytes - len(block)))
                self.played += on_output(self.block_bytes)
                self.blocks += 1
                next_tick += self._period
                self._stop.wait(max(0.0, next_tick - time.monotonic()))

        self._stop.clear()
        self._thread = threading.Thread(target=clock, name="fake-audio-device", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def sounded_ms(self) -> int:
        """How much of what it played was not silence (in 20 ms windows)."""
        window = 2 * self.rate // 50
        loud = 0
        for start in range(0, len(self.played) - window + 1, window):
            if any(self.played[start : start + window : 2]) or any(
                self.played[start + 1 : start + window : 2]
            ):
                loud += 20
        return loud
