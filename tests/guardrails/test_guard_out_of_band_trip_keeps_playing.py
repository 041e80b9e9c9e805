"""An output trip on an out-of-band response's speech (the app's aside, a filler, a
progress update) cancels the response but leaves its buffered audio playing: the player is
never told to stop, so the user hears the words the guardrail stopped."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio

LONG = (
    "Sure, and I can promise you a full refund today, no questions asked, whatever "
    "happened to your order last month, and the month before that one too."
)


class Player:
    def __init__(self) -> None:
        self.cleared = 0

    def played_ms(self, item_id: str) -> int | None:
        return 300

    def clear(self) -> None:
        self.cleared += 1


async def no_refunds(text: str) -> GuardrailResult:
    return Trip("it promised a refund") if "refund" in text else PASS


async def test_an_out_of_band_trip_stops_the_player() -> None:
    agent = rtagents.Agent(name="shop", guardrails=Guardrails(output=[no_refunds]))
    player = Player()
    events: list[Any] = []
    async with Emulator(model=ScriptedModel([LONG]), realtime=True, audio_chunk_ms=100) as emu:
        async with rtagents.connect(agent, url=emu.url, player=player) as session:
            await session.create_response(conversation="none", instructions="Say something.")
            with anyio.fail_after(15):
                async for event in session:
                    events.append(event)
                    tripped = any(e.type == "guardrail.tripped" for e in events)
                    if tripped and event.type == "response.done":
                        break
                else:
                    pytest.fail("the session ended first")
            with anyio.fail_after(5):  # the trip's actions have all run by now; settle
                await session.send_text("ping", respond=False)
    [trip] = [e for e in events if e.type == "guardrail.tripped"]
    assert trip.cancelled is not None  # the response was cancelled...
    done = [e for e in events if e.type == "response.done"][-1]
    assert done.response.status == "cancelled"
    # ...but the audio already sent to the player plays on: it was never stopped.
    assert player.cleared >= 1, "the player was not told to stop"
    assert any(e.type == "audio.interrupted" for e in events)
