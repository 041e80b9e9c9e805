"""Speech on a GPT-Live session's timeline, sans I/O: the model's voice (transcript deltas
with their place on the timeline, and the audio of each, one utterance at a time, stopped by
a barge-in), and the user's transcript spread over the turn it was heard in.

The timeline is audio time, as server VAD's is: the input appended so far, and the model's
speech after it (an utterance starts where the input or the speech before it ends), so the
same audio always gives the same times, however fast it arrives.
"""

from __future__ import annotations

import base64
from array import array
from collections.abc import Callable

from ...protocol import live as lp
from .. import audio
from ..outbox import Outbox, Pace, Steps, Until
from ..responses import words
from ..settings import ServerSettings
from ..utterance import speech, split


class Voice:
    """The Live model's voice (see the module's docstring)."""

    def __init__(self, out: Outbox, settings: ServerSettings) -> None:
        self._out = out
        self._settings = settings
        self.format = "audio/pcm"
        """The session's audio format (both ways on a primary WebSocket)."""
        self.until_ms = 0
        """Where the model's speech so far ends on the session's timeline."""
        self.busy = False
        self._stopped = False
        self.on_delta: Callable[[lp.OutputTranscriptDelta, str], None] | None = None
        """Hears each transcript delta the voice sends, with the utterance's text so far."""
        self.timed = False
        """Audio reflected on a sideband (a SIP call's): its chunks carry their times."""

    def interrupt(self) -> None:
        """The user started speaking: what the model is saying stops (the model drives
        barge-in on Live; no event says so, its output just ends)."""
        if self.busy:
            self._stopped = True

    def say(
        self,
        text: str,
        now: Callable[[], int],
        announce: Callable[[int, int], None] | None = None,
    ) -> Steps[None]:
        """Say ``text`` from ``now()`` on the timeline, once what is being said is over.
        ``announce`` hears where it will start and end before the first word goes out."""
        if self.busy:
            yield Until(lambda: not self.busy)
        self.busy, self._stopped = True, False
        try:
            # Said whole, then cut into the words' shares (see ``utterance``).
            said = words(text)
            spoken = yield from speech(self._settings.voice, text)
            pieces = list(zip(said, split(spoken, said), strict=True))
            at, so_far = now(), ""
            if announce is not None:
                announce(at, at + sum(len(part) * 1000 // audio.RATE for _, part in pieces))
            for word, part in pieces:
                if self._stopped:
                    return
                ms = len(part) * 1000 // audio.RATE
                delta = self._out.emit(
                    lp.OutputTranscriptDelta, delta=word, start_ms=at, end_ms=at + ms
                )
                so_far += word
                if self.on_delta is not None:
                    self.on_delta(delta, so_far)
                yield from self._stream(spoken, part, at)
                at += ms
                self.until_ms = at
        finally:
            self.busy = False

    def _stream(self, pcm: array[int], part: range, at: int) -> Steps[None]:
        chunk = audio.RATE * self._settings.audio_chunk_ms // 1000
        for start in range(part.start, part.stop, chunk):
            if self._stopped:
                return
            data = audio.from_pcm16(pcm, self.format, start, min(start + chunk, part.stop))
            delta = base64.b64encode(data).decode()
            ms = audio.duration_ms(len(data), self.format)
            # On a primary WebSocket the chunks carry no times (a sideband's do: required).
            timed = {"start_ms": at, "end_ms": at + ms} if self.timed else {}
            self._out.emit(lp.OutputAudioDelta, delta=delta, **timed)
            at += ms
            yield Pace(ms) if self._settings.realtime else None


def spread(text: str, start_ms: int, end_ms: int) -> list[tuple[str, int, int]]:
    """``text`` in words across ``start_ms``..``end_ms``, each over its share of the time by
    its length: how a turn's transcript comes, in pieces that tile the turn."""
    pieces = words(text)
    total = sum(len(p) for p in pieces) or 1
    out: list[tuple[str, int, int]] = []
    at, used = start_ms, 0
    for piece in pieces:
        used += len(piece)
        end = start_ms + (end_ms - start_ms) * used // total
        out.append((piece, at, end))
        at = end
    return out
