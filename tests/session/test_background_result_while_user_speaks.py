"""A background result that arrives while the user is speaking. The session knows the user
has the turn (server VAD's ``input_audio_buffer.speech_started`` came, no ``speech_stopped``
yet), and a request made just before that is cancelled as it starts ("the user took the
turn after we asked: not spoken over", ``Orchestrator.barge_in``). But a request made
*during* the user's speech goes out at once: the result's answer starts while the user is
still talking, so the assistant speaks over them, and the user's own turn, committed while
that answer is active, gets no response of its own (the server VAD's response is never
created while one is active). The same holds for any batch whose last output comes while
the user speaks; a background result, which comes at any time, meets it most."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel, audio

pytestmark = pytest.mark.anyio


async def test_a_background_result_is_not_answered_over_the_user_speaking() -> None:
    gate = anyio.Event()

    @rtagents.tool(background=True)
    async def book(table: int) -> str:
        """Book a table (takes a while)."""
        await gate.wait()
        return f"table {table} booked"

    model = ScriptedModel(
        [
            CallFunction("book", {"table": 4}, call_id="call_book"),
            "I am booking it.",
            "Your table is booked, and about your question: yes.",
            "(a second answer)",
        ]
    )
    agent = rtagents.Agent(name="host", tools=[book], output_modalities=["text"])
    timeline: list[str] = []
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            with anyio.fail_after(10):
                await session.ask("Book table 4.")
                await session.send_audio(audio.tone(600).tobytes())  # the user starts talking
                user_added = False
                async for event in session:
                    kind = event.type
                    if kind == "input_audio_buffer.speech_started":
                        timeline.append("user speaks")
                        gate.set()  # the booking ends while the user talks
                    elif kind == "input_audio_buffer.speech_stopped":
                        timeline.append("user stops")
                    elif kind == "conversation.item.added":
                        role: Any = getattr(event.item, "role", None)
                        if role == "system":  # the result is in the conversation now
                            await session.send_audio(audio.silence(600).tobytes())
                        elif role == "user":
                            user_added = True
                    elif kind == "response.created" and not event.response.out_of_band:
                        timeline.append("assistant answers")
                    elif kind == "response.done" and user_added:
                        break
                else:
                    pytest.fail("the session ended first")
    # Nothing is said over the user: the answer comes once their turn is over.
    assert timeline == ["user speaks", "user stops", "assistant answers"]
    # observed: ['user speaks', 'assistant answers', 'user stops']
