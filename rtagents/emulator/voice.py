"""The emulator's voice: what turns the model's text into the audio a client hears.

espeak-ng speaks the words when its binary is on ``PATH`` (Debian's ``espeak-ng``); the tone
voice (``audio.synthesize``: one soft tone per character) stands in otherwise, and wherever a
test wants audio whose length is known in advance. Any ``text -> PCM16 at 24 kHz`` callable
may speak instead.

Synthesis can take a while (espeak-ng runs as a process), so a server core never calls a
voice itself unless it is ``instant``: it asks its shell with a ``Speak`` request, and the
shell runs the voice in a worker thread. What was said is cached, since tests and demos say
the same sentences again and again.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable
from typing import Literal, Union

from . import audio

TextToSpeech = Callable[[str], bytes]
"""A voice: the text -> its speech as mono PCM16 (little-endian) at 24 kHz."""
VoiceChoice = Union[Literal["auto", "espeak", "tones"], TextToSpeech]
"""``Emulator(voice=...)``: ``"auto"`` (espeak-ng when installed, else tones), ``"espeak"``,
``"tones"``, or a callable of your own."""
VoiceName = Literal["espeak", "tones", "custom"]
_ESPEAK = "espeak-ng"
_CACHED = 256  # utterances kept: a test suite's sentences, a few MB at most
_TIMEOUT_S = 30.0


class EmulatorVoice:
    """One chosen voice, with its cache. ``name`` says which it is; ``instant`` that it may
    be called inside a server core (it computes, it does not wait)."""

    def __init__(self, name: VoiceName, speak: TextToSpeech, *, instant: bool = False) -> None:
        self.name: VoiceName = name
        self.instant = instant
        self._speak = speak
        self._cache: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()  # worker threads of many connections share the cache

    def __repr__(self) -> str:
        return f"EmulatorVoice({self.name!r})"

    def cached(self, text: str) -> bytes | None:
        """``text``'s speech if it was made before (no synthesis)."""
        with self._lock:
            pcm = self._cache.get(text)
            if pcm is not None:
                self._cache.move_to_end(text)
            return pcm

    def speak(self, text: str) -> bytes:
        """``text`` spoken: PCM16 at 24 kHz. Blocks while the voice works (unless cached)."""
        pcm = self.cached(text)
        if pcm is not None:
            return pcm
        pcm = self._speak(text)
        if not isinstance(pcm, (bytes, bytearray)):
            raise TypeError(f"the emulator's voice returned {type(pcm).__name__}, not bytes")
        pcm = bytes(pcm[: len(pcm) - len(pcm) % 2])
        if not self.instant:  # the tone voice is cheaper to make than to keep
            with self._lock:
                self._cache[text] = pcm
                while len(self._cache) > _CACHED:
                    self._cache.popitem(last=False)
        return pcm


def tones(text: str) -> bytes:
    """The tone voice: one soft tone per character, silence for a space."""
    return audio.synthesize(text).tobytes()


def espeak_available() -> bool:
    return shutil.which(_ESPEAK) is not None


def espeak(text: str) -> bytes:
    """``text`` spoken by espeak-ng (its default voice and speed), resampled to 24 kHz."""
    if not text.strip():
        return b""
    binary = shutil.which(_ESPEAK)
    if binary is None:
        raise FileNotFoundError(f"{_ESPEAK} is not on PATH")
    # The text goes in on stdin, so that one starting with "-" is never read as an option.
    done = subprocess.run(
        [binary, "--stdout"],
        input=text.encode(),
        capture_output=True,
        timeout=_TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0:
        detail = done.stderr.decode(errors="replace").strip()[:200]
        raise RuntimeError(f"{_ESPEAK} failed (exit {done.returncode}): {detail}")
    pcm, rate = wav_pcm16(done.stdout)
    return to_24k(pcm, rate)


def wav_pcm16(data: bytes) -> tuple[bytes, int]:
    """The samples and rate of a mono PCM16 WAV as espeak-ng writes it to stdout, where the
    sizes in the header are placeholders (it cannot seek back to fill them in)."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError("not a WAV file")
    at, rate = 12, 0
    while at + 8 <= len(data):
        kind, size = data[at : at + 4], struct.unpack("<I", data[at + 4 : at + 8])[0]
        body = at + 8
        if kind == b"fmt ":
            fmt, channels, rate = struct.unpack("<HHI", data[body : body + 8])
            bits = struct.unpack("<H", data[body + 14 : body + 16])[0]
            if (fmt, channels, bits) != (1, 1, 16):
                raise ValueError(f"not mono PCM16: format {fmt}, {channels} ch, {bits} bits")
        elif kind == b"data":
            if not rate:
                raise ValueError("WAV data before its format")
            pcm = data[body:]  # to the end: the size field is a placeholder
            return pcm[: len(pcm) - len(pcm) % 2], rate
        at = body + size + size % 2
    raise ValueError("WAV without data")


def to_24k(pcm: bytes, rate: int) -> bytes:
    """PCM16 at ``rate`` -> 24 kHz: libsoxr when the ``rtagents[audio]`` extra is installed,
    else linear interpolation (coarser, and enough for a test voice)."""
    if rate == audio.RATE:
        return pcm
    try:
        from ..audio.resample import resample

        return resample(pcm, rate, audio.RATE)
    except ImportError:  # ExtraMissing is an ImportError
        return _linear(pcm, rate, audio.RATE)


def _linear(pcm: bytes, src: int, dst: int) -> bytes:
    samples = array("h", pcm)
    if not samples:
        return b""
    count = len(samples) * dst // src
    last = len(samples) - 1
    out = array("h", bytes(2 * count))
    for i in range(count):
        x = i * src / dst
        j = int(x)
        nxt = samples[j + 1] if j < last else samples[last]
        out[i] = int(samples[j] + (nxt - samples[j]) * (x - j))
    return out.tobytes()


def choose(choice: VoiceChoice | EmulatorVoice) -> EmulatorVoice:
    """The voice for ``Emulator(voice=choice)``; ``ValueError`` for one that cannot be had."""
    if isinstance(choice, EmulatorVoice):
        return choice
    if callable(choice):
        return EmulatorVoice("custom", choice)
    if choice == "tones":
        return tone_voice()
    if choice == "espeak" or (choice == "auto" and espeak_available()):
        if not espeak_available():
            raise ValueError(
                "voice='espeak' needs espeak-ng on PATH (Debian: apt-get install espeak-ng); "
                "voice='auto' falls back to tones without it"
            )
        return _espeak_voice()
    if choice == "auto":
        return tone_voice()
    raise ValueError(
        f"voice must be 'auto', 'espeak', 'tones' or a callable text -> PCM16, not {choice!r}"
    )


_shared: list[EmulatorVoice] = []


def _espeak_voice() -> EmulatorVoice:
    # One for the process: espeak-ng says a text the same way every time, so every emulator
    # (a test suite starts hundreds) shares what was said.
    if not _shared:
        _shared.append(EmulatorVoice("espeak", espeak))
    return _shared[0]


def tone_voice() -> EmulatorVoice:
    return EmulatorVoice("tones", tones, instant=True)
