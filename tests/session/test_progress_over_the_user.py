"""A tool's progress update made while the user is speaking (server VAD heard their speech
start, and not its end) waits for their turn to be over, as batches and background results
do (tools.md: "the assistant never talks over them").

It was spoken at once as an out-of-band aside (``Orchestrator._maybe_aside`` checked only
the responses active and asked for, not the user's turn). Then, held, it waited for good
where the turn brings no response of the server's (``ServerVad(create_response=False)``:
the app answers, as the voice-confirmation agent of docs/approvals.md does): nothing looked
at it again when the turn was over."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel, audio

pytestmark = pytest.mark.anyio


async def timeline(until: tuple[str, ...], within: float, **options: Any) -> list[str]:
    """The user talks while a tool runs, and its update is made mid-speech: what happened,
    in order, up to the first of ``until`` (or for ``within`` seconds)."""
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
    agent = rtagents.Agent(name="host", tools=[find_slot], output_modalities=["text"], **options)
    seen: list[str] = []
    names = {
        "input_audio_buffer.speech_stopped": "user stops",
        "progress.spoken": "aside asked",
        "progress.dropped": "aside dropped",
    }
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            with anyio.move_on_after(within):
                await session.send_text("When am I free?")
                async for event in session:
                    kind = event.type
                    if kind == "tool.call.started":
                        await session.send_audio(audio.tone(600).tobytes())  # the user talks
                    elif kind == "input_audio_buffer.speech_started":
                        seen.append("user speaks")
                        speaking.set()
                        await made.wait()  # the tool's update was made, the user still talks
                        await session.send_audio(audio.silence(600).tobytes())
                    elif kind in names:
                        seen.append(names[kind])
                        if kind in until:
                            break
                else:
                    pytest.fail("the session ended first")
            finish.set()
    return seen


async def test_a_progress_update_is_not_spoken_over_the_user_speaking() -> None:
    seen = await timeline(("input_audio_buffer.speech_stopped",), 10)
    # Whatever becomes of the update, it is not asked for while the user is speaking.
    assert seen[: seen.index("user stops")] == ["user speaks"], seen


async def test_a_progress_update_held_over_the_user_is_spoken_once_they_stop() -> None:
    vad = rtagents.protocol.ServerVad(create_response=False)  # the app answers the turn
    seen = await timeline(("progress.spoken", "progress.dropped"), 8, turn_detection=vad)
    # The tool still runs: its update is spoken once the user has stopped.
    assert seen == ["user speaks", "user stops", "aside asked"], seen
