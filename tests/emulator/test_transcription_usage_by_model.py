"""The emulator reports an input transcription's usage as its model bills: whisper-1 by
duration, the others by tokens (it reported duration for every model).

docs/usage.md: `transcription` holds "the input audio's transcription by its model, for
models that bill by tokens (`gpt-4o-transcribe`...)", `seconds` those "that bill by the
second (`whisper-1`)"; the openai SDK's `UsageTranscriptTextUsageTokens` is the usage of
"models billed by token usage". The emulator, which the docs offer for testing an app
offline (prices and costs included), answered `{"type": "duration"}` for every model
(emulator/core.py), so a session on `gpt-4o-transcribe` shows its transcription as seconds,
`usage.transcription` stays empty, and a price table written for the real API's token
billing gives `cost=None` ("has no per_minute price").
"""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents import Prices
from rtagents import protocol as p
from rtagents.emulator import Emulator, ScriptedModel, audio

pytestmark = pytest.mark.anyio

PRICES = {
    "gpt-realtime": Prices(
        text_input="4",
        cached_text_input="0.4",
        audio_input="32",
        cached_audio_input="0.4",
        text_output="16",
        audio_output="64",
    ),
    "gpt-4o-transcribe": Prices(text_input="2.5", audio_input="6", text_output="10"),
}


@pytest.mark.parametrize(
    ("model", "billed"),
    [
        ("gpt-4o-transcribe", "tokens"),
        ("gpt-4o-mini-transcribe", "tokens"),
        ("whisper-1", "duration"),
    ],
)
async def test_a_transcription_reports_usage_as_its_model_bills(model: str, billed: str) -> None:
    agent = rtagents.Agent(
        name="a", transcription=p.AudioTranscription(model=model), output_modalities=["text"]
    )
    with anyio.fail_after(20):
        async with Emulator(model=ScriptedModel(["ok"]), transcribe=lambda pcm, ms: "hi") as emu:
            async with rtagents.connect(agent, url=emu.url) as session:
                await session.send_audio(audio.tone(600).tobytes())
                await session.send_audio(audio.silence(400).tobytes())
                async for event in session:
                    if event.type == "conversation.item.input_audio_transcription.completed":
                        usage = event.usage
                        break
                else:
                    pytest.fail("the session ended before the transcription")
    assert usage.type == billed  # observed: "duration" (seconds=1.0) for every model
    if billed == "tokens":  # about a second of audio in (the emulator's 100 ms a token)
        assert usage.input_token_details.audio_tokens == usage.input_tokens >= 9
        assert usage.total_tokens == usage.input_tokens + usage.output_tokens
    else:
        assert usage.seconds >= 0.9


async def test_a_gpt_4o_transcribe_session_is_priced_by_its_tokens() -> None:
    agent = rtagents.Agent(
        name="a",
        transcription=p.AudioTranscription(model="gpt-4o-transcribe"),
        output_modalities=["text"],
    )
    with anyio.fail_after(20):
        async with Emulator(model=ScriptedModel(["ok"]), transcribe=lambda pcm, ms: "hi") as emu:
            async with rtagents.connect(agent, url=emu.url, prices=PRICES) as session:
                await session.send_audio(audio.tone(600).tobytes())
                await session.send_audio(audio.silence(400).tobytes())
                sources = set()
                async for event in session:
                    if event.type == "usage.updated":
                        sources.add(event.source)
                        if {"transcription", "response"} <= sources:
                            break
                else:
                    pytest.fail("the session ended before both usage reports")
                usage, cost = session.usage, session.cost
    assert (
        "gpt-4o-transcribe" in usage.transcription
    )  # observed: {} (seconds={'gpt-4o-transcribe': 1.0})
    assert cost is not None  # observed: None, "model 'gpt-4o-transcribe' has no per_minute price"
