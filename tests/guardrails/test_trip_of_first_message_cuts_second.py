"""A response says two messages; an output guardrail trips on the first while the second
plays (the first was heard to its end). docs/guardrails.md: the response is cancelled and
"the assistant's audio is cut at what the app's player played". The trip now aims at the
first item, still remembered as "earlier" audio (``Playback.earlier``), though it played
out: nothing of it is left to cut, and the second message, the one playing, is not
truncated: the model and ``session.history`` hold all of it as said."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from rtagents.emulator import Emulator, Say, ScriptedModel

pytestmark = pytest.mark.anyio

FIRST = "A full refund, sure."
SECOND = "Now let me tell you about our other offers, there are quite a few of them today."


class Player:
    """Played all of the first message, and 300 ms of the second."""

    def __init__(self) -> None:
        self.first: str | None = None
        self.second: str | None = None

    def played_ms(self, item_id: str) -> int | None:
        return {self.first: 60_000, self.second: 300}.get(item_id, 0)

    def clear(self) -> None:
        pass


async def test_a_trip_on_the_first_message_cuts_the_second_where_it_plays() -> None:
    gate = anyio.Event()

    async def no_refunds(text: str) -> GuardrailResult:
        if "refund" in text:
            await gate.wait()  # decided while the second message plays
            return Trip("it promised a refund")
        return PASS

    agent = rtagents.Agent(
        name="shop",
        guardrails=Guardrails(output=[no_refunds], timeout=10, every_chars=1000, every_ms=60_000),
    )
    player = Player()
    events: list[Any] = []
    model = ScriptedModel([[Say(FIRST), Say(SECOND)]])
    async with Emulator(model=model, realtime=True, audio_chunk_ms=100) as emu:
        async with rtagents.connect(agent, url=emu.url, player=player) as session:
            await session.send_text("Can I get my money back?")
            with anyio.fail_after(15):
                async for event in session:
                    events.append(event)
                    if event.type == "response.output_audio.delta":
                        if player.first is None:
                            player.first = event.item_id
                        elif event.item_id != player.first and player.second is None:
                            player.second = event.item_id
                            gate.set()
                    if event.type == "response.done":
                        break
                else:
                    pytest.fail("the session ended first")
            truncates = [e for e in emu.last.received if e["type"] == "conversation.item.truncate"]
    [trip] = [e for e in events if e.type == "guardrail.tripped"]
    assert trip.item_id == player.first and trip.cancelled is not None
    # The second message is cut where the player is (within the audio that had arrived).
    assert [t["item_id"] for t in truncates] == [player.second]
