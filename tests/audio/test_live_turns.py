"""GPT-Live's speech through ``LocalVoice``: it has no item ids, so each of the model's turns
is filed under an id of its own, and a clear (a guardrail's trip) cuts only the turn it cut.

Under one fixed id, the first trip cut GPT-Live's speech for good: the device stayed silent
for the rest of the session."""

from __future__ import annotations

import asyncio
import base64
from array import array
from collections import Counter
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import PASS, Guardrails, Trip
from rtagents.audio import LocalVoice
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.emulator import audio as tones
from rtagents.protocol.live.server_events import InputTranscriptDelta, OutputAudioDelta
from rtagents.session.events import AudioInterrupted, SessionClosed
from rtagents.testing import FakeAudioDevice

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]


def speech(value: int, ms: int) -> OutputAudioDelta:
    """``ms`` of the model's speech (24 kHz pcm16), every sample ``value``: what the device
    played of it can be told apart."""
    pcm = array("h", [value] * (24 * ms)).tobytes()
    return OutputAudioDelta(delta=base64.b64encode(pcm).decode())


def user(text: str) -> InputTranscriptDelta:
    return InputTranscriptDelta(event_id="e", delta=text, start_ms=0, end_ms=0)


class LiveSession:
    """What ``LocalVoice`` uses of a GPT-Live session; its events are what the test gives."""

    input_format = output_format = "audio/pcm"

    def __init__(self) -> None:
        self.events: asyncio.Queue[Any] = asyncio.Queue()

    def give(self, *events: Any) -> None:
        for event in events:
            self.events.put_nowait(event)

    async def send_audio(self, pcm: bytes) -> None:
        pass

    def __aiter__(self) -> LiveSession:
        return self

    async def __anext__(self) -> Any:
        return await self.events.get()


def played(device: FakeAudioDevice) -> Counter[int]:
    """Milliseconds the device played of each value (silence left out)."""
    samples = Counter(array("h", bytes(device.played)))
    return Counter({value: n // 24 for value, n in samples.items() if value})


async def test_a_clear_cuts_the_live_turn_it_cut_and_the_next_turn_plays() -> None:
    device = FakeAudioDevice(rate=24_000, speed=4)
    voice = LocalVoice(device, duplex="full")
    session = LiveSession()

    async def until_played_out() -> None:
        while not session.events.empty() or voice.player.sounding():
            await anyio.sleep(0.01)

    def trip() -> None:
        # As the session does it: the player is cleared at once, while the speaker loop
        # still holds speech it read before; the session's event follows, then the model's
        # turn goes on (GPT-Live has nothing to cancel).
        voice.player.clear()
        session.give(speech(2, 100), AudioInterrupted(item_id=None, played_ms=None))
        session.give(speech(3, 100))

    async with anyio.create_task_group() as tg:
        tg.start_soon(voice.run, session)
        with anyio.fail_after(10):
            session.give(speech(1, 400))
            while not played(device)[1]:
                await anyio.sleep(0.005)
            trip()
            await until_played_out()
            session.give(user("and"), user(" tomorrow?"), speech(4, 400))  # the next turn
            with anyio.move_on_after(2):
                while not played(device)[4]:
                    await anyio.sleep(0.005)
            assert played(device)[4], "the turn after the trip never sounded"
            trip()  # a trip in that turn cuts it too
            await until_played_out()
            session.give(user("thanks"), speech(5, 200))
            await until_played_out()
            session.give(SessionClosed("done"))
    heard = played(device)
    assert 0 < heard[1] < 400  # cut where the trip came
    assert heard[2] == heard[3] == 0  # the rest of the tripped turn
    assert 0 < heard[4] < 400
    assert heard[5] == 200  # the turn after the second trip, whole


def no_records(text: str) -> Any:
    return Trip("talks of records") if "record" in text else PASS


async def test_after_a_guardrail_trip_the_next_live_answer_is_heard() -> None:
    # GPT-Live on the emulator: the first answer trips the guardrail, the second must sound.
    agent = rtagents.Agent(guardrails=Guardrails(output=[no_records], every_chars=1))
    model = ScriptedModel(
        [
            "It was a record heat wave in Oslo today, really hot.",
            "Second answer: tomorrow will be mild and pleasant in Oslo.",
        ]
    )
    turn = tones.tone(600).tobytes() + tones.silence(600).tobytes()
    device = FakeAudioDevice(turn, rate=24_000, speed=2)
    voice = LocalVoice(device, duplex="full")
    events: list[Any] = []
    async with Emulator(model=model) as emu:
        async with rtagents.connect(
            agent, url=emu.live_url, api="live", player=voice.player
        ) as session:
            session.on("*")(events.append)

            async def answered(n: int) -> None:
                while sum(e.type == "session.usage.updated" for e in events) < n:
                    await anyio.sleep(0.02)
                while voice.player.sounding():
                    await anyio.sleep(0.02)

            async with anyio.create_task_group() as tg:
                tg.start_soon(voice.run, session)
                with anyio.fail_after(20):
                    await answered(1)
                    assert any(e.type == "guardrail.tripped" for e in events)
                    after_the_trip = device.sounded_ms()
                    device.say(turn)  # the user's next turn
                    await answered(2)
                await session.close()
    # The tripped answer was cut: it is about 3 s long (a loaded machine trips it later).
    assert after_the_trip < 2000
    assert device.sounded_ms() - after_the_trip > 1000  # the second answer sounded
