"""A player's ``played_ms`` answer that is a number is where the session truncates:
docs/voice.md says "A player that raises, or answers something that is not a number, also
gets no truncate" (so one that answers a number gets one). A player that computes its
position as ``bytes / bytes_per_ms`` answers a float (400.0 ms): the session must cut the
answer there (rounded to whole ms), not silently leave the unheard words in the model's
context."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio


class FloatPlayer:
    """A player that counts played bytes and divides: 19,200 bytes of pcm16 = 400.0 ms."""

    def __init__(self) -> None:
        self.cleared = 0

    def played_ms(self, item_id: str) -> float:
        return 19_200 / 48

    def clear(self) -> None:
        self.cleared += 1


async def test_a_float_played_ms_truncates_there() -> None:
    player = FloatPlayer()
    interrupted: list[Any] = []
    long_answer = "This answer goes on for a while, long enough to talk over it. " * 3
    async with Emulator(model=ScriptedModel([long_answer])) as emu:
        async with rtagents.connect(
            rtagents.Agent(name="a"),
            url=emu.url,
            player=player,  # type: ignore[arg-type]
        ) as session:
            session.on("audio.interrupted")(interrupted.append)
            await session.send_text("hi")
            with anyio.fail_after(10):
                while sum(e["type"] == "response.output_audio.delta" for e in emu.last.sent) < 20:
                    await anyio.sleep(0.01)
                await session.interrupt()
                while not interrupted:
                    await anyio.sleep(0.01)
                await anyio.sleep(0.2)
            received = list(emu.last.received)
    assert player.cleared
    cuts = [e["audio_end_ms"] for e in received if e["type"] == "conversation.item.truncate"]
    assert cuts == [400], f"truncates sent: {cuts}; audio.interrupted: {interrupted}"
