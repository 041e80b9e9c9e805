"""The usage records and prices, sans session: the server's usage shapes read as the openai
SDK (the spec's oracle) builds them, sums, and costs worked by hand, cached tokens
included; what has no price makes no figure."""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from decimal import Decimal

import pytest
from openai.types.realtime import RealtimeResponseUsage
from openai.types.realtime.conversation_item_input_audio_transcription_completed_event import (
    UsageTranscriptTextUsageTokens,
)

from rtagents import Prices, Tokens, UsageRecord
from rtagents.pricing import PriceBook
from rtagents.protocol import Response, ResponseDone
from rtagents.session.metering import UsageMeter
from rtagents.usage import reported

SDK_USAGE = RealtimeResponseUsage.model_validate(
    {
        "total_tokens": 1600,
        "input_tokens": 1200,
        "output_tokens": 400,
        "input_token_details": {
            "text_tokens": 500,
            "audio_tokens": 600,
            "image_tokens": 100,
            "cached_tokens": 700,
            "cached_tokens_details": {"text_tokens": 300, "audio_tokens": 400, "image_tokens": 0},
        },
        "output_token_details": {"text_tokens": 100, "audio_tokens": 300},
    }
)
PRICES = Prices(
    text_input=4,
    cached_text_input="0.4",
    audio_input=32,
    cached_audio_input=Decimal("0.4"),
    image_input=5,
    text_output=16,
    audio_output=64,
)


def test_a_realtime_usage_read_by_modality_with_its_cached_part() -> None:
    for shape in (SDK_USAGE, SDK_USAGE.model_dump()):  # a model or its JSON
        tokens = Tokens.from_realtime(shape)
        assert tokens == Tokens(
            text_input=500,
            cached_text_input=300,
            audio_input=600,
            cached_audio_input=400,
            image_input=100,
            text_output=100,
            audio_output=300,
        )
        assert (tokens.input_tokens, tokens.output_tokens, tokens.total_tokens) == (1200, 400, 1600)
        assert tokens.cached_tokens == 700
    assert list(Tokens.from_realtime(SDK_USAGE).parts()) == [
        ("input", "text", 200),
        ("input", "cached_text", 300),
        ("input", "audio", 200),
        ("input", "cached_audio", 400),
        ("input", "image", 100),
        ("output", "text", 100),
        ("output", "audio", 300),
    ]


def test_the_cost_of_cached_and_fresh_tokens_worked_by_hand() -> None:
    usage = UsageRecord({"gpt-realtime": Tokens.from_realtime(SDK_USAGE)}, responses=1)
    # fresh text 200 x 4 + cached 300 x 0.4 + fresh audio 200 x 32 + cached 400 x 0.4
    # + image 100 x 5 + text out 100 x 16 + audio out 300 x 64, per million
    by_hand = Decimal(800 + 120 + 6400 + 160 + 500 + 1600 + 19200) / 1_000_000
    assert usage.cost({"gpt-realtime": PRICES}) == by_hand == Decimal("0.02878")
    per_thousand = dataclasses.replace(PRICES, per=1000)
    assert usage.cost({"gpt-realtime": per_thousand}) == Decimal("28.78")


def test_what_no_price_covers_makes_no_figure() -> None:
    usage = UsageRecord({"gpt-realtime": Tokens.from_realtime(SDK_USAGE)})
    no_cached = dataclasses.replace(PRICES, cached_audio_input=None)
    assert usage.cost({"gpt-realtime": no_cached}) is None
    assert usage.unpriced({"gpt-realtime": no_cached}) == [
        "model 'gpt-realtime' has no cached_audio_input price"
    ]
    assert usage.cost({"gpt-realtime-mini": PRICES}) is None  # no prefix guessing
    # Tokens the server did not split by modality cannot be priced right.
    unsplit = UsageRecord({"m": Tokens.from_realtime({"input_tokens": 50, "output_tokens": 5})})
    assert unsplit.models["m"] == Tokens(other_input=50, other_output=5)
    assert unsplit.total_tokens == 55
    assert unsplit.cost({"m": PRICES}) is None
    free = Prices(text_input=0, text_output=0)
    assert UsageRecord({"m": Tokens(text_input=9, text_output=3)}).cost({"m": free}) == 0


def test_transcription_tokens_and_seconds_are_their_own_part() -> None:
    sdk = UsageTranscriptTextUsageTokens.model_validate(
        {
            "type": "tokens",
            "input_tokens": 30,
            "output_tokens": 8,
            "total_tokens": 38,
            "input_token_details": {"audio_tokens": 25, "text_tokens": 5},
        }
    )
    tokens = Tokens.from_transcription(sdk)
    assert tokens == Tokens(text_input=5, audio_input=25, text_output=8)
    usage = UsageRecord(
        {"gpt-realtime": Tokens(text_input=10)},
        transcription={"gpt-4o-transcribe": tokens},
        seconds={"whisper-1": 90.0},
    )
    assert usage.tokens == Tokens(text_input=10)  # the conversation's only
    table = {
        "gpt-realtime": Prices(text_input=4),
        "gpt-4o-transcribe": Prices(text_input="2.5", audio_input=6, text_output=10),
        "whisper-1": Prices(per_minute="0.006"),
    }
    # 10 x 4 / 1e6 + (5 x 2.5 + 25 x 6 + 8 x 10) / 1e6 + 1.5 min x 0.006
    assert usage.cost(table) == Decimal("0.00004") + Decimal("0.0002425") + Decimal("0.009")


def test_usage_adds_and_stays_immutable() -> None:
    a = UsageRecord({"m": Tokens(text_input=1)}, seconds={"w": 1.5}, responses=1)
    b = UsageRecord({"m": Tokens(text_input=2), "n": Tokens(audio_output=4)}, responses=2)
    total = a + b
    assert total == UsageRecord(
        {"m": Tokens(text_input=3), "n": Tokens(audio_output=4)}, seconds={"w": 1.5}, responses=3
    )
    assert a == UsageRecord({"m": Tokens(text_input=1)}, seconds={"w": 1.5}, responses=1)
    assert sum([a, b], UsageRecord()) == total and hash(total) == hash(b + a)
    with pytest.raises(TypeError):
        total.models["m"] = Tokens()  # type: ignore[index]
    with pytest.raises(TypeError):  # a's own map, shared by the sum: read-only all the same
        total.seconds["w"] = 0.0  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        total.responses = 0  # type: ignore[misc]
    assert repr(Tokens(text_input=3)) == "Tokens(text_input=3)"
    assert not UsageRecord() and total


def test_the_meters_records_are_read_only_and_only_a_positive_int_counts() -> None:
    meter = UsageMeter("gpt-realtime")
    done = ResponseDone(event_id="e", response=Response(id="r", usage=SDK_USAGE.model_dump()))
    updated = meter.see(done)[-1]
    tokens = updated.usage.models["gpt-realtime"]
    assert tokens == Tokens.from_realtime(SDK_USAGE) and updated.total == meter.usage
    again = ResponseDone(event_id="e2", response=Response(id="r2", usage=SDK_USAGE.model_dump()))
    assert meter.see(done) is None  # (the same response's done again: counted once)
    for record in (updated.usage, updated.total, meter.see(again)[-1].total):
        with pytest.raises(TypeError):
            record.models["x"] = Tokens()  # type: ignore[index]
    assert meter.usage.models["gpt-realtime"] == tokens + tokens and meter.usage.responses == 2
    # GPT-Live's backend reports come as dicts, read as they are: a bool, a negative or a
    # float is no count.
    odd = {
        "input_tokens": True,
        "output_tokens": -3,
        "input_tokens_details": {"cached_tokens": 2.5},
    }
    assert Tokens.from_responses(odd) == Tokens()
    assert Tokens.from_responses(OrderedDict(input_tokens=3)) == Tokens(text_input=3)
    # A map that is no fresh dict is copied, as the constructor does: nobody can change it.
    theirs = OrderedDict(m=Tokens(text_input=1))
    record = reported(theirs) + UsageRecord()
    theirs["m"] = Tokens(text_input=9)
    assert record == UsageRecord({"m": Tokens(text_input=1)})
    with pytest.raises(TypeError):
        record.models["m"] = Tokens()  # type: ignore[index]


def test_a_price_book_warns_once_per_thing_it_cannot_price(
    caplog: pytest.LogCaptureFixture,
) -> None:
    book = PriceBook(PRICES, "gpt-realtime")  # one Prices: the session's model's
    usage = UsageRecord({"gpt-realtime": Tokens(text_input=10)}, seconds={"whisper-1": 3.0})
    assert book.cost(usage) == (None, ["model 'whisper-1' has no prices"])
    assert book.cost(usage + usage) == (None, [])  # said once
    assert caplog.text.count("model 'whisper-1' has no prices") == 1
    with pytest.raises(ValueError, match="needs the model"):
        PriceBook(PRICES)
    with pytest.raises(TypeError, match="mapping of model name to Prices"):
        PriceBook({"m": "4"})  # type: ignore[dict-item]
