"""A slow output guardrail trips on a short answer (one check: its last) once that answer
has been played to its end and the answer to the user's next question is streaming. The
trip cancels nothing (its response is over), yet it stops the player: the tripped item is
still remembered as "earlier" audio (``Playback.earlier``), whether or not it still plays,
so the trip asks the player to stop and clears the next answer's queued audio (with
``PlaybackBuffer``, that whole answer, as its item is cut for good) while its response goes
on uncancelled: the user hears nothing of the answer the server and the history say was
given."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio

FIRST = "A full refund, sure."  # short: its one check is its last
SECOND = "It is sunny in Paris today, with a light breeze from the west all afternoon."


class Player:
    """Played all of the first answer; the second is queued, none of it played yet."""

    def __init__(self) -> None:
        self.first: str | None = None
        self.cleared = 0

    def played_ms(self, item_id: str) -> int | None:
        return 60_000 if item_id == self.first else 0

    def clear(self) -> None:
        self.cleared += 1


async def test_a_late_trip_of_an_answer_played_out_leaves_the_next_answer_playing() -> None:
    gate = anyio.Event()

    async def no_refunds(text: str) -> GuardrailResult:
        if "refund" in text:
            await gate.wait()  # slow: decided once the next answer streams
            return Trip("it promised a refund")
        return PASS

    agent = rtagents.Agent(
        name="shop",
        guardrails=Guardrails(output=[no_refunds], timeout=10, every_chars=1000, every_ms=60_000),
    )
    player = Player()
    events: list[Any] = []
    async with Emulator(
        model=ScriptedModel([FIRST, SECOND]), realtime=True, audio_chunk_ms=100
    ) as emu:
        async with rtagents.connect(agent, url=emu.url, player=player) as session:
            await session.send_text("Can I get my money back?")
            first: str | None = None
            second: str | None = None
            with anyio.fail_after(15):
                async for event in session:
                    events.append(event)
                    if event.type == "response.created" and first is None:
                        first = event.response.id
                    elif event.type == "response.output_audio.delta" and player.first is None:
                        player.first = event.item_id
                    elif event.type == "response.done" and event.response.id == first:
                        await session.send_text("And what is the weather in Paris?")
                    elif event.type == "response.created":
                        second = event.response.id
                    elif (
                        event.type == "response.output_audio.delta" and event.response_id == second
                    ):
                        gate.set()
                    elif event.type == "response.done" and event.response.id == second:
                        break
                else:
                    pytest.fail("the session ended first")
            cancels = [e for e in emu.last.received if e["type"] == "response.cancel"]
    [trip] = [e for e in events if e.type == "guardrail.tripped"]
    [done] = [e for e in events if e.type == "response.done" and e.response.id == second]
    assert trip.item_id == player.first and trip.cancelled is None
    assert cancels == [] and done.response.status == "completed"  # the answer goes on...
    interrupted = [e for e in events if e.type == "audio.interrupted"]
    assert interrupted == []  # ...but the player was stopped, its queued audio dropped
    assert player.cleared == 0
