"""``LocalVoice._speaker`` flushes its Decoder and resampler when a turn of the model's ends on
GPT-Live, as it does at an item's ``response.output_audio.done`` on the Realtime API. GPT-Live
has no such event: the model's turn ends when the user is heard
(``session.input_transcript.delta``), and that event flushes too. Without the flush, with a
48 kHz device, libsoxr would hold the last ~32 ms of every turn until the model's *next* turn
started. The turn would never be counted whole (``played_ms`` short), and its end would sound
after the user's turn, glued to the start of the next answer."""

from __future__ import annotations

import anyio
import pytest

from rtagents.audio import LocalVoice
from rtagents.session.events import SessionClosed
from rtagents.testing import FakeAudioDevice
from tests.audio.test_live_turns import LiveSession, speech, user

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]


async def test_a_live_turn_heard_whole_is_counted_whole_before_the_next_turn() -> None:
    device = FakeAudioDevice(rate=48_000, speed=4)
    voice = LocalVoice(device, duplex="full")
    session = LiveSession()
    fed: list[str] = []  # the player's ids of the turns (each run's own)
    feed = voice.player.feed
    voice.player.feed = lambda item_id, pcm: (fed.append(item_id), feed(item_id, pcm))[1]  # type: ignore[method-assign]
    async with anyio.create_task_group() as tg:
        tg.start_soon(voice.run, session)
        with anyio.fail_after(10):
            session.give(speech(1000, 400))  # the model's turn: 400 ms
            await anyio.sleep(0.05)
            while not session.events.empty() or voice.player.sounding(100):
                await anyio.sleep(0.01)
            session.give(user("thanks"))  # the user is heard: the turn is over
            await anyio.sleep(0.3)
            played = voice.player.played_ms(fed[0])
            session.give(SessionClosed("done"))
    assert played == 400, f"the 400 ms turn, played out, counts {played} ms"
