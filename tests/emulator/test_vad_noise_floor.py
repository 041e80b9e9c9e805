"""The emulator's VAD starts a turn above ``threshold / 10`` (-26 dBFS at the default 0.5), and
keeps it going down to half that level, 6 dB lower (-32 dBFS). Steady room noise below that (a
fan, an air conditioner at -35 dBFS) never starts a turn, and does not hold one open either. So
a user who stops talking in a room with a fan gets ``speech_stopped`` after
``silence_duration_ms`` (200), then a commit and an answer. A lower level to keep a turn going
(a quarter, 12 dB under: -38 dBFS) would let the fan keep any turn it follows from ever ending:
no ``speech_stopped``, no commit, no answer, for as long as the fan runs."""

from __future__ import annotations

import random
from array import array

from rtagents.emulator.audio import tone
from rtagents.emulator.vad import EnergyVad


def _noise(ms: int, dbfs: float) -> array[int]:
    rng = random.Random(7)
    amplitude = 32768 * 10 ** (dbfs / 20) * 3**0.5  # uniform noise: rms = amplitude / sqrt 3
    return array("h", [round(rng.uniform(-amplitude, amplitude)) for _ in range(24 * ms)])


def test_a_fan_alone_is_no_speech() -> None:
    vad = EnergyVad()
    assert vad.feed(_noise(3000, -35)) == []  # (the premise: the fan never starts a turn)


def test_a_turn_ends_when_the_user_stops_in_a_room_with_a_fan() -> None:
    vad = EnergyVad()  # threshold 0.5: -26 dBFS; silence_duration_ms 200
    events = vad.feed(_noise(500, -35))
    events += vad.feed(tone(800, amplitude=0.3))  # the user speaks for 0.8 s
    events += vad.feed(_noise(3000, -35))  # then is silent for 3 s; the fan goes on
    kinds = [e.kind for e in events]
    assert kinds == ["started", "stopped"], f"events: {kinds}"
