"""The session follows only the latest item with audio (``Playback.item_id``). Audio arrives
faster than it plays, so the next item's audio (the answer after a tool call, the next
message of a response) is often queued behind the one the user is hearing. A barge-in then
asks the player about the latest item, which has not begun (0 ms): no truncate is sent at
all, and the item the user was cut off in stays whole in the conversation, so the model
believes it said everything (and the unheard next answer too)."""

from __future__ import annotations

import base64
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.audio import PlaybackBuffer
from rtagents.emulator import CallFunction, Emulator, Say, ScriptedModel, audio

pytestmark = pytest.mark.anyio


@rtagents.tool
def look_up() -> str:
    """Look it up."""
    return "found"


async def test_a_barge_in_truncates_the_item_being_played() -> None:
    player = PlaybackBuffer()
    preamble = "Let me look that up for you, it will take me a moment or two, please bear with me."
    model = ScriptedModel([[Say(preamble), CallFunction("look_up", {})], "Here is what I found."])
    interrupted: list[Any] = []
    async with Emulator(model=model) as emu:
        agent = rtagents.Agent(name="a", tools=[look_up])
        async with rtagents.connect(agent, url=emu.url, player=player) as session:
            session.on("audio.interrupted")(interrupted.append)
            await session.send_text("what is it?")
            items: list[str] = []
            with anyio.fail_after(10):
                async for event in session:  # the app feeds the speaker, as LocalVoice does
                    if event.type == "response.output_audio.delta":
                        if event.item_id not in items:
                            items.append(event.item_id)
                        player.feed(event.item_id, base64.b64decode(event.delta))
                    if event.type == "response.done" and len(items) == 2:
                        break
                else:
                    pytest.fail("the session ended before the second answer")
            first, _second = items
            player.read(24_000)  # the speaker has played 500 ms of the preamble
            assert player.played_ms(first) == 500
            await session.send_audio(audio.tone(300).tobytes())  # the user barges in
            with anyio.fail_after(5):
                while not interrupted:
                    await anyio.sleep(0.01)
            with anyio.move_on_after(0.5):  # a truncate sent is received by then
                while not any(e["type"] == "conversation.item.truncate" for e in emu.last.received):
                    await anyio.sleep(0.01)
    cuts = [
        (e["item_id"], e["audio_end_ms"])
        for e in emu.last.received
        if e["type"] == "conversation.item.truncate"
    ]
    assert (first, 500) in cuts, f"truncates sent: {cuts}; interrupted: {interrupted}"
