"""LocalVoice's microphone follows the session's input format (rtagents/audio/voice.py,
``_microphone``). When ``session.input_format`` changes (``session.update_agent`` to an agent
with ``input_audio_format="pcmu"``, or a handoff to one), it makes a new Encoder for the new
format. The output side follows the format per delta in the same way
(``session.output_format``). A microphone that kept the format it started with would send pcm16
bytes into a u-law session. pcm16 silence (zero bytes) is u-law 0x00, which is full scale, so
server VAD would hear endless "speech" in a silent room."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents.audio import LocalVoice
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import FakeAudioDevice

pytestmark = pytest.mark.anyio
RATE = 24_000


async def test_the_microphone_follows_an_input_format_changed_mid_session() -> None:
    device = FakeAudioDevice(b"", rate=RATE, speed=4)  # a silent room
    voice = LocalVoice(device, duplex="full")
    pcm_agent = rtagents.Agent(name="pcm")
    ulaw_agent = rtagents.Agent(name="ulaw", input_audio_format="pcmu", output_audio_format="pcmu")
    events: list[Any] = []
    async with Emulator(model=ScriptedModel(["ok"])) as emu:
        async with rtagents.connect(pcm_agent, url=emu.url, player=voice.player) as session:
            session.on("*")(events.append)
            async with anyio.create_task_group() as tg:
                tg.start_soon(voice.run, session)
                await anyio.sleep(0.2)
                await session.update_agent(ulaw_agent)
                assert session.input_format == "audio/pcmu"
                await anyio.sleep(0.5)  # 2 s of the silent room, at speed 4
                await session.close()
        started = [e for e in emu.last.sent if e["type"] == "input_audio_buffer.speech_started"]
    assert started == [], f"server VAD heard speech in a silent room: {started}"
