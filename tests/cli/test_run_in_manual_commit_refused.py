"""``rtagents run --in`` with a Realtime agent that has no turn detection
(``turn_detection=None``): the recording is one turn, committed by the command, then a
response asked for. The rewrite (d31a756) waits, with no bound (``math.inf``), for the
server's ``input_audio_buffer.committed`` before it looks for the answer. A commit the server
refuses (a recording under 100 ms: ``input_audio_buffer_commit_empty``) never sends one: the
command waits for good, though the response it asked for is answered (before the rewrite,
the command ended on that answer; the VAD path says "no speech was heard" after 5 s)."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents._cli_talk import say_recording
from rtagents.emulator import Emulator, ScriptedModel, audio

pytestmark = pytest.mark.anyio


async def test_a_refused_commit_does_not_hang_the_command() -> None:
    agent = rtagents.Agent(name="manual", turn_detection=None)
    async with Emulator(model=ScriptedModel(["Hello."])) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            with anyio.move_on_after(12) as scope:
                await say_recording(session, audio.tone(50).tobytes())  # 50 ms
            sent = [e["type"] for e in emu.last.sent]
    assert "input_audio_buffer.committed" not in sent
    assert "response.done" in sent  # the response the command asked for was answered
    assert not scope.cancelled_caught, "run --in waited for good: the commit was refused"
