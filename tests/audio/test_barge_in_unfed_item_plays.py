"""On a barge-in the session stops the player and cuts the interrupted item for good:
``GuardedPlayer.clear`` calls the player's ``clear``, then its optional ``cut(item_id)``.
``PlaybackBuffer`` then drops any audio of that item fed later. This matters because the session
reads ``speech_started`` while the app's loop (LocalVoice's ``_speaker``) may still hold deltas
it has not fed yet. When those are the *first* deltas of the answer (the user starts talking
just as the answer starts, or the app lags a few events), ``clear`` alone cuts only what is
queued and the last item played, so it would miss the answer. The app would then feed it, and
the speaker would play the interrupted answer after the barge-in, although the server cancelled
it and the session sent no truncate (no audio had played)."""

from __future__ import annotations

import base64
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.audio import PlaybackBuffer
from rtagents.emulator import Emulator, ScriptedModel, audio

pytestmark = pytest.mark.anyio


async def test_an_answer_interrupted_before_the_app_fed_it_is_not_played() -> None:
    player = PlaybackBuffer()
    interrupted: list[Any] = []
    long_answer = "This answer goes on for a while, long enough to talk over it. " * 3
    async with Emulator(model=ScriptedModel([long_answer, "yes?"])) as emu:
        agent = rtagents.Agent(name="a")
        async with rtagents.connect(agent, url=emu.url, player=player) as session:
            session.on("audio.interrupted")(interrupted.append)
            await session.send_text("hi")
            with anyio.fail_after(5):
                while not any(e["type"] == "response.output_audio.delta" for e in emu.last.sent):
                    await anyio.sleep(0.01)
                # The user talks over the start of the answer; the app has not read it yet.
                await session.send_audio(audio.tone(400).tobytes())
                while not interrupted:
                    await anyio.sleep(0.01)
            # The app's loop catches up: it plays what it reads, as LocalVoice does.
            with anyio.move_on_after(1):
                async for event in session:
                    if event.type == "response.output_audio.delta":
                        player.feed(event.item_id, base64.b64decode(event.delta))
                    if event.type == "audio.interrupted":
                        break
                else:
                    pytest.fail("the session ended before its audio.interrupted was read")
    assert player.queued_ms == 0, f"{player.queued_ms} ms of the interrupted answer will play"
