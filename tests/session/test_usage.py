"""``session.usage`` and ``session.cost`` on the Realtime API, against the emulator over a
loopback socket: the sum of what the server reported in every ``response.done`` (a tool
turn, a spoken turn with audio in and out) plus the input transcription, by model; a cost
from a price table the test states, equal to the figure worked by hand; a model the table
lacks gives no cost and one warning."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Prices, Tokens, UsageRecord
from rtagents import protocol as p
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.emulator import audio as pcm

pytestmark = pytest.mark.anyio

PRICES = {
    "gpt-realtime": Prices(
        text_input="4.00",
        cached_text_input="0.40",
        audio_input="32.00",
        cached_audio_input="0.40",
        text_output="16.00",
        audio_output="64.00",
    ),
    "whisper-1": Prices(per_minute="0.006"),
}


@rtagents.tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


def agent() -> rtagents.Agent:
    return rtagents.Agent(
        name="meter",
        tools=[get_weather],
        transcription=p.AudioTranscription(model="whisper-1"),
        turn_detection=p.ServerVad(silence_duration_ms=300),
    )


def script() -> ScriptedModel:
    return ScriptedModel(
        [CallFunction("get_weather", {"city": "Oslo"}), "It is sunny.", "Goodbye for now."]
    )


def reported(emu: Emulator) -> Iterator[dict[str, Any]]:
    return (frame for frame in emu.last.sent if isinstance(frame, dict))


def sums(emu: Emulator) -> tuple[dict[str, int], float, int]:
    """What the emulator said it used: every response.done's usage summed, field by field,
    the transcriptions' seconds, and how many responses."""
    total = dict.fromkeys(("text_in", "audio_in", "cached_text", "cached_audio"), 0)
    total |= {"text_out": 0, "audio_out": 0}
    seconds, responses = 0.0, 0
    for frame in reported(emu):
        if frame["type"] == "response.done":
            responses += 1
            usage = frame["response"]["usage"]
            inp, out = usage["input_token_details"], usage["output_token_details"]
            total["text_in"] += inp["text_tokens"]
            total["audio_in"] += inp["audio_tokens"]
            total["cached_text"] += inp["cached_tokens_details"]["text_tokens"]
            total["cached_audio"] += inp["cached_tokens_details"]["audio_tokens"]
            total["text_out"] += out["text_tokens"]
            total["audio_out"] += out["audio_tokens"]
            assert usage["input_tokens"] == inp["text_tokens"] + inp["audio_tokens"]
        elif frame["type"] == "conversation.item.input_audio_transcription.completed":
            seconds += frame["usage"]["seconds"]
    return total, seconds, responses


async def converse(session: rtagents.RealtimeSession, done: int) -> list[Any]:
    """A tool turn by text, then a spoken turn: events until ``done`` usage reports."""
    events = await session.ask("Weather in Oslo?")
    await session.send_audio(pcm.tone(600).tobytes() + pcm.silence(500).tobytes())
    with anyio.fail_after(10):
        async for event in session:
            events.append(event)
            if len([e for e in events if e.type == "usage.updated"]) >= done:
                break
        else:
            pytest.fail("the session ended before its usage was reported")
    return events


async def test_usage_is_what_the_server_reported_and_the_cost_is_worked_by_hand() -> None:
    async with Emulator(model=script(), transcript_order="before") as emu:
        async with rtagents.connect(agent(), url=emu.url, prices=PRICES) as session:
            assert session.usage == UsageRecord() and session.cost == 0
            # 3 responses (the call, its answer, the spoken turn's) and 1 transcription
            events = await converse(session, 4)
            usage, cost = session.usage, session.cost
        total, seconds, responses = sums(emu)

    assert responses == 3 and seconds > 0
    assert total["audio_in"] > 0 and total["audio_out"] > 0 and total["text_out"] > 0
    assert usage.models == {
        "gpt-realtime": Tokens(
            text_input=total["text_in"],
            cached_text_input=total["cached_text"],
            audio_input=total["audio_in"],
            cached_audio_input=total["cached_audio"],
            text_output=total["text_out"],
            audio_output=total["audio_out"],
        )
    }
    assert usage.seconds == {"whisper-1": seconds}  # its own part, by its model
    assert usage.transcription == {}  # whisper-1 bills by duration, not tokens
    assert usage.responses == 3
    assert usage.input_tokens == total["text_in"] + total["audio_in"]
    assert usage.output_tokens == total["text_out"] + total["audio_out"]

    by_hand = (
        Decimal("4.00") * (total["text_in"] - total["cached_text"])
        + Decimal("0.40") * total["cached_text"]
        + Decimal("32.00") * (total["audio_in"] - total["cached_audio"])
        + Decimal("0.40") * total["cached_audio"]
        + Decimal("16.00") * total["text_out"]
        + Decimal("64.00") * total["audio_out"]
    ) / 1_000_000 + Decimal("0.006") * Decimal(str(seconds)) / 60
    assert cost == by_hand
    assert usage.cost(PRICES) == by_hand  # the same, from the record alone

    updates = [e for e in events if e.type == "usage.updated"]
    assert sum((u.usage for u in updates), UsageRecord()) == usage  # the parts add to the whole
    assert updates[-1].total == usage and updates[-1].cost == cost
    assert [u.source for u in updates].count("transcription") == 1
    done_ids = [e.response.id for e in events if e.type == "response.done"]
    assert [u.response_id for u in updates if u.source == "response"] == done_ids
    # Each report follows its response.done, which already counts it.
    kinds = [e.type for e in events]
    first = kinds.index("response.done")
    assert kinds[first + 1] == "usage.updated"
    assert not any(e.type == "session.warning" for e in events)


async def test_a_model_missing_from_the_table_gives_no_cost_and_one_warning() -> None:
    prices = {"gpt-realtime": PRICES["gpt-realtime"]}  # nothing for the transcription model
    async with Emulator(model=script(), transcript_order="before") as emu:
        async with rtagents.connect(agent(), url=emu.url, prices=prices) as session:
            events = await converse(session, 4)
            await session.send_audio(pcm.tone(600).tobytes() + pcm.silence(500).tobytes())
            with anyio.fail_after(10):
                async for event in session:
                    events.append(event)
                    if event.type == "usage.updated" and event.source == "transcription":
                        break
                else:
                    pytest.fail("the session ended before the second transcription")
            assert session.cost is None  # never a figure that leaves whisper-1 out
            assert session.usage.seconds["whisper-1"] > 0
    warnings = [e.message for e in events if e.type == "session.warning"]
    assert warnings == [
        "no cost for this session's usage: model 'whisper-1' has no prices"
    ]  # once, though it was used twice
    transcribed = [e for e in events if e.type == "usage.updated" and e.source == "transcription"]
    assert len(transcribed) == 2 and all(e.cost is None for e in transcribed)
    assert session.usage.cost(prices) is None
    assert session.usage.unpriced(prices) == ["model 'whisper-1' has no prices"]


async def test_without_prices_there_is_usage_and_no_cost() -> None:
    async with Emulator(model=ScriptedModel(["Hello."])) as emu:
        async with rtagents.connect(rtagents.Agent(), transport=emu.transport) as session:
            events = await session.ask("Hi")
            with anyio.fail_after(5):
                async for event in session:
                    events.append(event)
                    if event.type == "usage.updated":
                        break
                else:
                    pytest.fail("the session ended before its usage was reported")
            assert session.cost is None
            assert session.usage.responses == 1 and session.usage.total_tokens > 0
    assert [e.cost for e in events if e.type == "usage.updated"] == [None]


async def test_bad_prices_are_refused_before_anything_is_opened() -> None:
    with pytest.raises(TypeError, match="mapping of model name to Prices"):
        async with rtagents.connect(rtagents.Agent(), url="ws://127.0.0.1:9", prices={"m": 4}):
            pass  # pragma: no cover
    with pytest.raises(ValueError, match=r"Prices\.text_input must be a finite price >= 0"):
        Prices(text_input=-1)
    with pytest.raises(ValueError, match="not a number"):
        Prices(audio_output="cheap")
    with pytest.raises(ValueError, match=r"Prices\.per must"):
        Prices(text_input=1, per=0)
