"""``InputAudio.append`` now keeps an exact clock and carries pcm16's odd byte across
appends, but its ``silent=True`` path (GPT-Live's ``session.input_audio.mute``: "the model
hears silence of the same length") still replaces the chunk with ``duration_ms`` floored to a
whole ms of silence: not the same length. A muted 5.33 ms chunk counts 5 ms (the clock falls
behind the audio sent, as it did before the fix), and a muted odd chunk becomes an even one,
so the carried byte no longer matches the client's stream: after the mute every sample is
read one byte off, and a quiet room is heard as full-scale speech."""

from __future__ import annotations

import base64
import random
from array import array

from rtagents.emulator.input_audio import InputAudio

PCM = "audio/pcm"
SESSION = {"audio": {"input": {"turn_detection": {"type": "server_vad"}}}}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _audio() -> InputAudio:
    audio = InputAudio(None, None)  # type: ignore[arg-type]  (append uses neither)
    audio.configure(SESSION)
    return audio


def test_muted_audio_keeps_the_clock_exact() -> None:
    audio = _audio()
    for _ in range(750):  # 4 s in 128-sample chunks (Web Audio's render quantum)
        audio.append(_b64(bytes(256)), PCM, silent=True)
    assert audio.audio_ms == 4000


def test_a_quiet_room_after_a_muted_odd_chunk_is_no_speech() -> None:
    rng = random.Random(1)
    room = array("h", (rng.randint(-60, 60) for _ in range(24 * 1500))).tobytes()  # -55 dBFS
    audio = _audio()
    events = audio.append(_b64(room[:961]), PCM)  # 961 + 961 bytes: the stream is even again
    events += audio.append(_b64(room[961:1922]), PCM, silent=True)
    for start in range(1922, len(room), 960):
        events += audio.append(_b64(room[start : start + 960]), PCM)
    assert [e.kind for e in events] == []
