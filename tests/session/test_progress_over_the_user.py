"""A tool's progress update made while the user is speaking (server VAD heard their speech
start, and not its end) is spoken at once as an out-of-band aside: the assistant talks over
the user. Batches and background results wait for the user's turn to be over
(``Batches.user_turn``, see tools.md "the assistant never talks over them"), but
``Orchestrator._maybe_aside`` checks only the responses active and asked for, not the
user's turn; the barge-in drops only the update *waiting* at speech start, not one that
comes during the speech."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel, audio

pytestmark = pytest.mark.anyio


async def test_a_progress_update_is_not_spoken_over_the_user_speaking() -> None:
    speaking, made, finish = anyio.Event(), anyio.Event(), anyio.Event()

    @rtagents.tool
    async def find_slot(ctx: rtagents.ToolContext) -> str:
        """A free slot in the calendar (slow)."""
        await speaking.wait()
        await ctx.progress("checking the calendar")  # made while the user talks
        made.set()
        await finish.wait()
        return "3 pm"

    model = ScriptedModel(
        [CallFunction("find_slot", {}, call_id="c1"), "(aside)", "(more)", "(more)", "(more)"]
    )
    agent = rtagents.Agent(name="host", tools=[find_slot], output_modalities=["text"])
    timeline: list[str] = []
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            with anyio.fail_after(10):
                await session.send_text("When am I free?")
                async for event in session:
                    kind = event.type
                    if kind == "tool.call.started":
                        await session.send_audio(audio.tone(600).tobytes())  # the user talks
                    elif kind == "input_audio_buffer.speech_started":
                        timeline.append("user speaks")
                        speaking.set()
                        await made.wait()  # the tool's update was made, the user still talks
                        await session.send_audio(audio.silence(600).tobytes())
                    elif kind == "progress.spoken":
                        timeline.append("aside asked")
                    elif kind == "progress.dropped":
                        timeline.append("aside dropped")
                    elif kind == "input_audio_buffer.speech_stopped":
                        timeline.append("user stops")
                        break
                else:
                    pytest.fail("the session ended first")
                finish.set()
    # Whatever becomes of the update, it is not asked for while the user is speaking.
    assert timeline[: timeline.index("user stops")] == ["user speaks"], timeline
