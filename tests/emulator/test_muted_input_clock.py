"""``InputAudio.append`` with ``silent=True`` (GPT-Live's ``session.input_audio.mute``: "the
model hears silence of the same length") replaces the chunk with silence of exactly its length,
to the byte. So the clock stays exact: 750 muted chunks of 5.33 ms count 4000 ms. And a muted
chunk of an odd byte count keeps pcm16's odd byte, carried across appends, in step with the
client's stream. Silence floored to a whole ms would put the clock behind the audio sent, and
would turn an odd chunk into an even one. Every sample after the mute would then be read one
byte off, and a quiet room would be heard as full-scale speech."""

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
