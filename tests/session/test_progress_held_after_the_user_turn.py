"""A progress update made while the user speaks now waits for their turn to be over
(``Orchestrator._maybe_aside`` checks ``batches.user_turn``), but nothing looks at the held
update again when the turn *is* over: ``RealtimeCore._on_turn_over`` only clears the flag.
When the user's turn brings no response (``ServerVad(create_response=False)``: the app
answers, e.g. the voice-confirmation agent of docs/approvals.md; or the app clears the
buffer), the update is never spoken while its tool keeps running. Before the change it was
spoken at once (over the user): now it is silently lost until some unrelated response ends."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel, audio

pytestmark = pytest.mark.anyio


async def test_a_progress_update_held_over_the_user_is_spoken_once_they_stop() -> None:
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
    agent = rtagents.Agent(
        name="host",
        tools=[find_slot],
        output_modalities=["text"],
        turn_detection=rtagents.protocol.ServerVad(create_response=False),
    )
    timeline: list[str] = []
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            try:
                with anyio.fail_after(8):
                    await session.send_text("When am I free?")
                    async for event in session:
                        kind = event.type
                        if kind == "tool.call.started":
                            await session.send_audio(audio.tone(600).tobytes())
                        elif kind == "input_audio_buffer.speech_started":
                            timeline.append("user speaks")
                            speaking.set()
                            await made.wait()
                            await session.send_audio(audio.silence(600).tobytes())
                        elif kind == "input_audio_buffer.speech_stopped":
                            timeline.append("user stops")
                        elif kind == "progress.spoken":
                            timeline.append("aside asked")
                            break
                        elif kind == "progress.dropped":
                            timeline.append("aside dropped")
                            break
                    else:
                        pytest.fail("the session ended first")
            except TimeoutError:
                pass
            finally:
                finish.set()
    # The tool still runs: its update is spoken once the user has stopped.
    assert timeline == ["user speaks", "user stops", "aside asked"], timeline
