"""A slow output guardrail trips on the first part of an answer (the item spoken before a
tool call) after the answer to the tool's output has begun streaming. The player is still
playing the tripped item (the next is queued behind it), and the docs promise "the audio
still playing is cut": it is not, because the trip only looks at the latest audio item."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from rtagents.emulator import CallFunction, Emulator, Say, ScriptedModel

pytestmark = pytest.mark.anyio

FIRST = "Sure, I can promise you a full refund today, let me look up your order first."
SECOND = "I found your order, it shipped yesterday and should arrive on Monday."


@rtagents.tool
def lookup() -> str:
    """Look up the order."""
    return "shipped"


class Player:
    """Plays the first item (300 ms of it so far); the second is queued behind it."""

    def __init__(self) -> None:
        self.first: str | None = None
        self.cleared = 0

    def played_ms(self, item_id: str) -> int | None:
        return 300 if item_id == self.first else 0

    def clear(self) -> None:
        self.cleared += 1


async def test_a_late_trip_cuts_the_item_still_playing() -> None:
    gate = anyio.Event()

    async def no_refunds(text: str) -> GuardrailResult:
        if "refund" in text:
            await gate.wait()  # slow: decided once the next answer streams
            return Trip("it promised a refund")
        return PASS

    agent = rtagents.Agent(
        name="shop", tools=[lookup], guardrails=Guardrails(output=[no_refunds], timeout=10)
    )
    player = Player()
    model = ScriptedModel([[Say(FIRST), CallFunction("lookup", {})], SECOND])
    events: list[Any] = []
    async with Emulator(model=model, realtime=True, audio_chunk_ms=100) as emu:
        async with rtagents.connect(agent, url=emu.url, player=player) as session:
            await session.send_text("Where is my order?")
            first_response: str | None = None
            with anyio.fail_after(15):
                async for event in session:
                    events.append(event)
                    if event.type == "response.output_audio.delta":
                        if first_response is None:
                            first_response, player.first = event.response_id, event.item_id
                        elif event.response_id != first_response:
                            gate.set()  # the answer after the tool streams now
                    if event.type == "guardrail.tripped":
                        break
                else:
                    pytest.fail("the session ended before the trip")
            with anyio.fail_after(5):
                async for event in session:
                    events.append(event)
                    if event.type == "response.done" and event.response.id != first_response:
                        break
                else:
                    pytest.fail("the session ended first")
            truncates = [e for e in emu.last.received if e["type"] == "conversation.item.truncate"]
    [trip] = [e for e in events if e.type == "guardrail.tripped"]
    assert trip.item_id == player.first
    # The first item's audio is still playing: it is cut where the player is, and the player
    # is told to stop.
    assert [(t["item_id"], t["audio_end_ms"]) for t in truncates] == [(player.first, 300)]
    assert player.cleared >= 1
