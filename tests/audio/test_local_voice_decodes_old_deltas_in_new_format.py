"""Each of the agent's audio deltas is played as the format it was sent in. The session's
events queue up until the app's loop reads them (the docs say it "may still hold deltas it
read before"), while ``session.output_format`` is the format "as it last reported it". When
the agent changes its output format (``update_agent``, a handoff to a phone agent in
G.711) after an answer in pcm16 arrived but before ``LocalVoice`` read that answer, the
speaker must still play the pcm16 answer as pcm16, not decode its bytes as u-law (six times
as long, and noise)."""

from __future__ import annotations

import base64
from array import array
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.audio import LocalVoice
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import FakeAudioDevice

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


def trimmed(pcm: bytes) -> array[int]:
    values = array("h", pcm)
    loud = [i for i, v in enumerate(values) if v]
    return values[loud[0] : loud[-1] + 1] if loud else array("h")


async def test_an_answer_read_after_a_format_change_plays_as_it_was_sent() -> None:
    device = FakeAudioDevice(rate=24_000, speed=8)
    voice = LocalVoice(device, duplex="full")
    sent: list[bytes] = []
    events: list[Any] = []
    async with Emulator(model=ScriptedModel(["Hello there, nice to meet you."])) as emu:
        agent = rtagents.Agent(name="desk")
        async with rtagents.connect(agent, url=emu.url, player=voice.player) as session:
            session.on("*")(events.append)
            session.on("response.output_audio.delta")(
                lambda e: sent.append(base64.b64decode(e.delta))
            )
            await session.send_text("hi")
            with anyio.fail_after(10):
                while not any(e.type == "response.done" for e in events):
                    await anyio.sleep(0.01)
            assert session.output_format == "audio/pcm"
            # The app hands off to a phone agent before its speaker loop read the answer.
            await session.update_agent(rtagents.Agent(name="phone", output_audio_format="pcmu"))
            with anyio.fail_after(10):
                while session.output_format != "audio/pcmu":
                    await anyio.sleep(0.01)
            async with anyio.create_task_group() as tg:
                tg.start_soon(voice.run, session)
                with anyio.fail_after(30):
                    while not device.sounded_ms():
                        await anyio.sleep(0.01)
                    while voice.player.sounding():
                        await anyio.sleep(0.01)
                await session.close()
    answer, played = trimmed(b"".join(sent)), trimmed(bytes(device.played))
    assert len(answer) > 24_000 * 0.5
    assert len(played) == len(answer), (
        f"the speaker played {len(played) / 24:.0f} ms for an answer of {len(answer) / 24:.0f} ms"
    )
