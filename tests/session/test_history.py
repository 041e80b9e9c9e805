"""``session.history``: the conversation as text, kept right when a tool fires mid-turn,
when a transcript arrives after the answer started, and when the user barges in."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import protocol as p
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.emulator import audio as pcm

pytestmark = pytest.mark.anyio


@rtagents.tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


def line(item: Any) -> str:
    if isinstance(item, (p.UserMessage, p.AssistantMessage)):
        return f"{item.role}: {item.content[0].text}"
    if isinstance(item, p.FunctionCall):
        return f"call {item.name}({item.arguments})"
    if isinstance(item, p.FunctionCallOutput):
        return f"output {item.output}"
    return type(item).__name__


async def test_history_in_order_with_a_late_transcript_and_a_barge_in() -> None:
    model = ScriptedModel(
        [
            CallFunction("get_weather", {"city": "Oslo"}),
            "It is sunny.",
            "one two three four five six",
        ]
    )
    agent = rtagents.Agent(
        name="h",
        tools=[get_weather],
        transcription=p.AudioTranscription(model="whisper-1"),
        turn_detection=p.ServerVad(silence_duration_ms=300),
    )
    spoken = pcm.tone(400).tobytes() + pcm.silence(400).tobytes()
    async with Emulator(
        model=model,
        transcribe=lambda audio, ms: "tell me a story",
        transcript_order="after",  # the transcript comes once the answer has started
        realtime=True,
        audio_chunk_ms=100,
    ) as emu:
        async with rtagents.connect(agent, transport=emu.transport) as session:
            await session.ask("Weather in Oslo?")
            await session.send_audio(spoken)
            deltas = 0
            with anyio.fail_after(10):
                async for event in session:
                    deltas += event.type == "response.output_audio.delta"
                    if deltas == 5:
                        break
                else:
                    pytest.fail("the session ended before the event this loop waits for")
            await session.interrupt(played_ms=300)  # the user heard 300 ms of it
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "conversation.item.truncated":
                        break
                else:
                    pytest.fail("the session ended before the event this loop waits for")
            history = [line(item) for item in session.history]
    assert history[:5] == [
        "user: Weather in Oslo?",
        'call get_weather({"city": "Oslo"})',
        "output sunny in Oslo",
        "assistant: It is sunny.",
        "user: tell me a story",
    ]
    assert history[5].startswith("assistant: one")  # cut where it was heard
    assert history[5] != "assistant: one two three four five six"
    assert len(history) == 6
