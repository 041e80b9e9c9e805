"""``session.interrupt()`` while our filler aside (an out-of-band response) speaks.

Right behaviour: the barge-in stops the aside (``response.cancel`` naming its response, so
that the server stops making audio the user talks over), and never truncates the aside's
item, which is not in the conversation. Today ``interrupt`` only cancels a response active
*in the conversation*, so the aside plays on to its end, and the playback tracker (which
follows every audio delta, the aside's too) sends ``conversation.item.truncate`` for the
aside's item: the server answers with an ``item_not_found`` error."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ModelContext, Say, ScriptedModel

pytestmark = pytest.mark.anyio

FILLER = "Say that you are still looking."


@rtagents.tool
async def slow(city: str) -> str:
    """The weather (slow)."""
    await anyio.sleep(3)
    return "sunny"


class Voice:
    def __init__(self) -> None:
        self.script = ScriptedModel(
            [CallFunction("slow", {"city": "Rome"}, call_id="c1"), "Sunny."]
        )

    async def respond(self, ctx: ModelContext) -> list[Any]:
        if ctx.instructions == FILLER:
            return [Say("Still looking for it, one moment please, " * 4)]
        return await self.script.respond(ctx)


class Speaker:
    def played_ms(self, item_id: str) -> int:
        return 300

    def clear(self) -> None:
        pass


async def test_interrupt_stops_the_aside_and_truncates_nothing_outside_the_conversation() -> None:
    agent = rtagents.Agent(
        name="host", tools=[slow], filler_after_ms=100, filler_instructions=FILLER
    )
    errors: list[Any] = []
    aside_status: list[str] = []
    async with Emulator(model=Voice(), realtime=True, audio_chunk_ms=100) as emu:
        async with rtagents.connect(agent, transport=emu.transport, player=Speaker()) as session:
            await session.send_text("Weather in Rome?")
            interrupted = False
            with anyio.fail_after(15):
                async for event in session:
                    if event.type == "error":
                        errors.append(event.error)
                    if (
                        event.type == "response.output_audio.delta"
                        and not interrupted
                        and event.response_id != ""
                    ):
                        done = [r for r in emu.last.received if r["type"] == "response.create"]
                        if len(done) == 2:  # the aside is speaking now
                            interrupted = True
                            await session.interrupt()
                    if event.type == "response.done" and event.response.conversation_id is None:
                        aside_status.append(event.response.status)
                        break
                else:
                    pytest.fail("the session ended before the aside did")
    assert interrupted
    assert aside_status == ["cancelled"], aside_status  # the barge-in stopped the aside
    assert errors == [], errors  # no truncate of an item outside the conversation
