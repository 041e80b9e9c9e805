"""An utterance's audio, sans I/O: the whole text spoken at once (a voice says a sentence
better than its words one by one), then cut into the words' shares, so that each
transcript delta goes out with the audio it stands for.

A voice that only computes (the tones) speaks right here; any other is asked of the shell
with a ``Speak`` request, which it runs in a worker thread, so that a core never waits.
"""

from __future__ import annotations

import logging
from array import array

from . import audio
from .actions import Speak
from .outbox import Steps
from .voice import EmulatorVoice, tones

log = logging.getLogger("rtagents.emulator")
_MS = audio.RATE // 1000  # samples in a millisecond


def speech(voice: EmulatorVoice, text: str) -> Steps[array[int]]:
    """``text`` in ``voice`` as 24 kHz samples; empty when the wait was called off (a
    cancel). A voice that fails leaves the tone voice to say it (logged), as a session
    must go on."""
    if not text:
        return array("h")
    try:
        pcm = voice.speak(text) if voice.instant else (yield Speak(0, text))
    except Exception as exc:
        log.warning("the emulator's %s voice failed, tones say it instead: %s", voice.name, exc)
        pcm = tones(text)
    out = array("h", pcm or b"")
    # Whole milliseconds (under 1 ms of silence added): every chunk then lasts a whole
    # number of ms, as every count of audio time is (audio_end_ms, a phone's marks).
    out.extend(array("h", bytes(2 * (-len(out) % _MS))))
    return out


def split(pcm: array[int], pieces: list[str]) -> list[range]:
    """Where in ``pcm`` each piece is said (its samples), each by its share of the
    characters: where a word falls in a sentence's audio, near enough for a transcript and a
    truncation. Cuts fall on whole milliseconds, as ``speech`` ends on one: the parts' times
    add up, and G.711 audio, converted part by part from the whole array (its low-pass
    reads across a cut), is the same as converted whole."""
    total = sum(len(p) for p in pieces) or 1
    out: list[range] = []
    at = used = 0
    for piece in pieces:
        used += len(piece)
        end = len(pcm) if used == total else len(pcm) * used // total // _MS * _MS
        out.append(range(at, end))
        at = end
    return out
