"""The emulator's input clock (``InputAudio.audio_ms``, "Audio appended since the session
started", the clock a reconfigured VAD and ``timeout_triggered`` times are on) is the
appended audio's whole milliseconds: its own comment says it is "not a sum of whole
milliseconds: a chunk may hold 5.33 ms". Six appends of 256 bytes of pcm16 (5.33 ms each)
are 1,536 bytes: exactly 32 ms, not 31 (a float sum of 5.333... lands on 31.999...)."""

from __future__ import annotations

import base64

from rtagents.emulator.conversation import Conversation
from rtagents.emulator.input_audio import InputAudio
from rtagents.emulator.outbox import Outbox


def test_the_clock_counts_whole_milliseconds_of_the_bytes_appended() -> None:
    buffer = InputAudio(Outbox(), Conversation())
    chunk = base64.b64encode(bytes(256)).decode()
    for count in range(1, 301):
        buffer.append(chunk, "audio/pcm")
        assert buffer.audio_ms == count * 256 // 48, f"after {count} appends"
