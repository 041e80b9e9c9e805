"""A ``LocalVoice`` plays each session it runs: its docstring shows it made once
(``voice = LocalVoice()``) and run with a session (``await voice.run(session)``), and nothing
says a second session may not use it. GPT-Live's speech is filed under ids of the voice's
own (``live_1``, ``live_2``...), and a clear cuts its id for good. A new session's turns
must not share ids with the last session's: when a guardrail cut the first session's
first answer, the second session's first answer must still be heard."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import PASS, Guardrails, Trip
from rtagents.audio import LocalVoice
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.emulator import audio as tones
from rtagents.testing import FakeAudioDevice

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


def no_records(text: str) -> Any:
    return Trip("talks of records") if "record" in text else PASS


async def test_a_second_live_session_on_the_same_voice_is_heard() -> None:
    agent = rtagents.Agent(guardrails=Guardrails(output=[no_records], every_chars=1))
    turn = tones.tone(600).tobytes() + tones.silence(600).tobytes()
    device = FakeAudioDevice(rate=24_000, speed=2)
    voice = LocalVoice(device, duplex="full")

    async def one_session(answer: str) -> list[Any]:
        events: list[Any] = []
        async with Emulator(model=ScriptedModel([answer])) as emu:
            async with rtagents.connect(
                agent, url=emu.live_url, api="live", player=voice.player
            ) as session:
                session.on("*")(events.append)
                async with anyio.create_task_group() as tg:
                    tg.start_soon(voice.run, session)
                    device.say(turn)
                    with anyio.fail_after(20):
                        while not any(e.type == "session.usage.updated" for e in events):
                            await anyio.sleep(0.02)
                        while voice.player.sounding():
                            await anyio.sleep(0.02)
                    await session.close()
        return events

    first = await one_session("It was a record heat wave in Oslo today, really hot.")
    assert any(e.type == "guardrail.tripped" for e in first)
    before = device.sounded_ms()
    second = await one_session("Tomorrow will be mild and pleasant in Oslo, with light wind.")
    assert not any(e.type == "guardrail.tripped" for e in second)
    heard = device.sounded_ms() - before
    assert heard > 1000, f"the second session's answer sounded for {heard} ms"
