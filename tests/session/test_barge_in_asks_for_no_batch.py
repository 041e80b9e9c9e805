"""A barge-in that cancels a ``cancel_on_interrupt`` call makes the session ask for a
response at once, over the user who is speaking.

One response made two calls: ``quick`` (answered at once) and ``slow``
(``cancel_on_interrupt=True``). The user starts speaking (server VAD ``speech_started``):
``slow`` is cancelled, as it should be. But the cancel completes the batch, and the session
sends ``response.create`` for ``quick``'s output right then: the server starts (and
finishes) a response before ``speech_stopped``, i.e. the assistant talks over the user who
just barged in, and then the user's own turn (server VAD) brings a second response.

Right behaviour (docs/session.md: "A cancelled call asks for no new turn, because the
user's own turn brings the next response"): the batch a barge-in cut is answered by the
user's turn, which sees ``quick``'s output in the conversation; the session sends no
``response.create`` of its own after the barge-in."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel, audio

pytestmark = pytest.mark.anyio


@rtagents.tool
async def quick() -> str:
    """Quick lookup."""
    return "quick done"


@rtagents.tool(cancel_on_interrupt=True)
async def slow() -> str:
    """Slow search."""
    await anyio.sleep(30)
    return "never"


async def test_a_barge_in_that_cancels_a_call_asks_for_no_response_over_the_user() -> None:
    model = ScriptedModel(
        [
            [CallFunction("quick", {}, call_id="q"), CallFunction("slow", {}, call_id="s")],
            "What did you want?",  # the user's turn's answer
            "Extra answer.",
        ]
    )
    agent = rtagents.Agent(
        name="t",
        tools=[quick, slow],
        output_modalities=["text"],
        turn_detection=rtagents.protocol.ServerVad(silence_duration_ms=200),
    )

    errors, texts = [], []
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            await session.send_text("do both")
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "response.done":
                        break
                else:
                    pytest.fail("the session ended before the first response was done")
                # The user starts speaking (and goes on for a while).
                await session.send_audio(audio.tone(300).tobytes())
                await anyio.sleep(0.5)
                await session.send_audio(audio.tone(300).tobytes() + audio.silence(400).tobytes())
                async for event in session:
                    if event.type == "error":
                        errors.append(event.error.code)
                    if event.type == "response.output_text.done":
                        texts.append(event.text)
                        if event.text == "What did you want?":
                            break
                else:
                    pytest.fail(f"the session ended before the user's turn was answered: {texts}")
            creates = [f for f in emu.last.received if f["type"] == "response.create"]
    # Only the user's typed turn asked for a response; the barge-in asked for none (the
    # user's own turn, made by server VAD, answers what is in the conversation).
    assert len(creates) == 1, (len(creates), texts, errors)
