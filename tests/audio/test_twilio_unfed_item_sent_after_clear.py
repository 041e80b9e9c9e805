"""On a barge-in the bridge stops the caller's audio for good: docs/twilio.md says "Chunks
of the cut answer that your loop reads after the barge-in (they came before it) are not
sent", and the player mechanism (rtagents/audio/player.py) gives the player the item the
session stopped (``cut(item_id)``) because the app's loop may not have read even the first
deltas of it yet. ``TwilioPlayer`` is the bridge's player: when the caller talks over the
start of an answer the bridge's loop has not read yet, the answer's chunks it then reads
must not go to Twilio after the ``clear`` (Twilio would play them: a clear drops only what
it has queued when it comes)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents.audio.formats import from_pcm16
from rtagents.calls.twilio import TwilioPlayer
from rtagents.emulator import Emulator, ScriptedModel, audio

pytestmark = pytest.mark.anyio


async def test_an_answer_interrupted_before_the_bridge_read_it_is_not_sent() -> None:
    sent: list[dict[str, Any]] = []
    player = TwilioPlayer("MZ" + "0" * 32, sent.append)
    interrupted: list[Any] = []
    long_answer = "This answer goes on for a while, long enough to talk over it. " * 3
    async with Emulator(model=ScriptedModel([long_answer, "yes?"])) as emu:
        agent = rtagents.Agent(name="a")
        async with rtagents.connect(
            agent, url=emu.url, player=player, audio_format="pcmu"
        ) as session:
            session.on("audio.interrupted")(interrupted.append)
            await session.send_text("hi")
            with anyio.fail_after(5):
                while not any(e["type"] == "response.output_audio.delta" for e in emu.last.sent):
                    await anyio.sleep(0.01)
                # The caller talks over the start of the answer; the bridge has not read it.
                await session.send_audio(from_pcm16(audio.tone(400), "audio/pcmu"))
                while not interrupted:
                    await anyio.sleep(0.01)
            assert any(m["event"] == "clear" for m in sent), sent
            cleared_at = len(sent)
            # The bridge's loop catches up: from_agent plays what it reads.
            with anyio.move_on_after(1):
                async for event in session:
                    if event.type == "response.output_audio.delta":
                        player.play(event.item_id, event.delta)
                    if event.type == "audio.interrupted":
                        break
                else:
                    pytest.fail("the session ended before its audio.interrupted was read")
    after = [m for m in sent[cleared_at:] if m["event"] == "media"]
    assert not after, f"{len(after)} media chunks of the interrupted answer sent after the clear"
