"""The emulator's input clock (``InputAudio.audio_ms``) is exact: ``append`` adds each chunk's
duration unrounded, and the clock reads whole milliseconds off the sum
(rtagents/emulator/input_audio.py). Chunks that are not a whole number of ms (128 samples, Web
Audio's render quantum: 5.33 ms) lose nothing. This matters because every ``session.update``
restarts the VAD from that clock (``configure``: ``position_ms=self.audio_ms``). With each chunk
floored to a whole ms, after an ``update_agent`` (or a handoff)
``speech_started.audio_start_ms`` and ``speech_stopped.audio_end_ms`` would be earlier than the
speech in the audio sent (here by ~250 ms after 4 s)."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents.emulator import Emulator, ScriptedModel, audio

pytestmark = pytest.mark.anyio
QUANTUM = 256  # 128 samples of pcm16


async def _send(session: rtagents.session.Session, pcm: bytes) -> None:
    for start in range(0, len(pcm), QUANTUM):
        await session.send_audio(pcm[start : start + QUANTUM])


async def test_speech_times_stay_on_the_audio_sent_across_a_session_update() -> None:
    agent = rtagents.Agent(name="a")
    async with Emulator(model=ScriptedModel(["ok"])) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            await _send(session, audio.silence(4000).tobytes())
            await session.update_agent(rtagents.Agent(name="b", instructions="Be brief."))
            await _send(session, audio.tone(600).tobytes() + audio.silence(600).tobytes())
            with anyio.fail_after(5):
                while not any(
                    e["type"] == "input_audio_buffer.speech_started" for e in emu.last.sent
                ):
                    await anyio.sleep(0.01)
        started = next(e for e in emu.last.sent if e["type"] == "input_audio_buffer.speech_started")
    # Speech begins at 4000 ms of audio; 300 ms of prefix padding before it.
    assert abs(started["audio_start_ms"] - 3700) <= 20, started
