"""``LocalVoice``: a session heard and spoken through a microphone and a speaker.

Microphone blocks go to the session (resampled from the device's rate to 24 kHz); the
assistant's audio goes to a ``PlaybackBuffer`` the device reads, so a barge-in truncates the
answer where the user stopped hearing it. Echo is kept out in one of two ways:

- ``duplex="half"`` (the default, for speakers): while the speaker sounds, and ``tail_ms``
  after, the microphone sends silence, so the agent never hears itself. The user cannot
  interrupt by voice.
- ``duplex="full"`` (for headphones, or with the server's ``noise_reduction``): the
  microphone is always live and the user can barge in.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any, Literal

import anyio

from ..errors import RtagentsError
from ..protocol.audio_formats import reported_output_format
from .devices import AudioDevice, SoundDevice
from .formats import RATE, Decoder, Encoder, delta_audio, samples
from .output import PlaybackBuffer
from .resample import StreamResampler, need_resampling

_BACKLOG_BLOCKS = 100  # about 2 s of microphone audio waiting for the session, at most


class LocalVoice:
    """Talk to a session through ``device`` (the computer's own when omitted)::

    voice = LocalVoice()
    async with rtagents.connect(agent, player=voice.player) as session:
        await voice.run(session)  # until the session closes
    """

    def __init__(
        self,
        device: AudioDevice | None = None,
        *,
        duplex: Literal["half", "full"] = "half",
        tail_ms: int = 300,
    ) -> None:
        if duplex not in ("half", "full"):
            raise ValueError(f"duplex is 'half' or 'full', not {duplex!r}")
        self.device = device if device is not None else SoundDevice()
        if self.device.rate != RATE:  # (said now, not from inside run's tasks)
            need_resampling(self.device.rate, RATE)
        self.duplex = duplex
        self.tail_ms = tail_ms
        self.player = PlaybackBuffer(rate=self.device.rate)
        self.muted_ms = 0  # microphone audio replaced by silence (half duplex)
        self.dropped_blocks = 0  # microphone blocks dropped because the session fell behind

    async def run(self, session: Any) -> None:
        """Stream the microphone to ``session`` and play its answers, until it closes."""
        loop = asyncio.get_running_loop()
        frames: asyncio.Queue[bytes] = asyncio.Queue(maxsize=_BACKLOG_BLOCKS)

        def keep(block: bytes) -> None:
            if frames.full():  # the session fell behind: the oldest audio goes first
                frames.get_nowait()
                self.dropped_blocks += 1
            frames.put_nowait(block)

        def on_input(block: bytes) -> None:  # the device's thread
            loop.call_soon_threadsafe(keep, block)

        self.device.start(on_input, self.player.read)
        self.player.latency_ms = self.device.latency_ms
        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(self._microphone, session, frames)
                await self._speaker(session)
                tg.cancel_scope.cancel()
        finally:
            self.device.stop()

    async def _microphone(self, session: Any, frames: asyncio.Queue[bytes]) -> None:
        to_session = StreamResampler(self.device.rate, RATE)
        fmt = session.input_format
        encoder = Encoder(fmt)  # (a G.711 agent takes G.711)
        while True:
            block = await frames.get()
            if session.input_format != fmt:  # another agent's (a handoff, update_agent)
                fmt = session.input_format
                encoder = Encoder(fmt)
            if self.duplex == "half" and self.player.sounding(self.tail_ms):
                self.muted_ms += len(block) * 1000 // (2 * self.device.rate)
                block = bytes(len(block))  # silence keeps the server's VAD clock going
            data = encoder.encode(samples(to_session.push(block)))
            if data:
                try:
                    await session.send_audio(data)
                except RtagentsError:  # the session closed: the speaker side ends the run
                    return

    async def _speaker(self, session: Any) -> None:
        to_device = StreamResampler(RATE, self.device.rate)
        # The format as the events read so far say (see ``reported_output_format``): the
        # session's latest may be ahead of what this loop reads (a handoff to a G.711 agent).
        fmt = session.output_format
        decoder = Decoder(fmt)
        live_turns = _LiveTurns()
        feeding: str | None = None  # the item whose audio the filters hold the end of

        def ended() -> None:  # its end is its own, not the next item's start
            if feeding is not None:
                tail = to_device.push(decoder.flush().tobytes()) + to_device.flush()
                if tail:
                    self.player.feed(feeding, tail)

        async for event in session:
            kind = event.type
            if kind == "response.output_audio.delta" or kind == "session.output_audio.delta":
                item_id = getattr(event, "item_id", None) or live_turns.speaking()
                if item_id != feeding or fmt != decoder.fmt:
                    ended()
                    feeding, decoder = item_id, Decoder(fmt)
                pcm = decoder.decode(delta_audio(event.delta)).tobytes()
                self.player.feed(item_id, to_device.push(pcm))
            elif kind == "response.output_audio.done" and event.item_id == feeding:
                ended()
                feeding = None
            elif kind == "session.input_transcript.delta":  # GPT-Live: the model's turn ended
                live_turns.user_heard()
                ended()
                feeding = None
            elif kind == "session.closed":
                return
            else:
                fmt = reported_output_format(event) or fmt


class _LiveTurns:
    """The player's ids for GPT-Live's speech, which has no items: one per turn of the model's.

    A clear cuts the id it stops, for good (late audio of a cut item is dropped: see
    ``PlaybackBuffer.clear``), so under one id for all of it, a guardrail's trip silenced the
    model for the rest of the session. A turn of the model's ends when the user is heard
    (their transcript: what the session's guardrails take for a Live turn's end too), so a
    trip silences the rest of the turn it cut, which GPT-Live goes on sending (it has nothing
    to cancel), and the model's next turn plays.
    """

    def __init__(self) -> None:
        self._turn = 1
        self._user_heard = False
        # Each run's own (a voice's player outlives a session: the next session's first turn
        # is not the cut one of the last, which the player drops for good).
        self._run = secrets.token_hex(4)

    def user_heard(self) -> None:
        self._user_heard = True

    def speaking(self) -> str:
        """The id of the model's speech now: a new one for its first words after the user's."""
        if self._user_heard:
            self._turn += 1
            self._user_heard = False
        return f"live_{self._run}_{self._turn}"
