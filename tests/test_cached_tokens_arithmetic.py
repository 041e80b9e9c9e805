"""Defects of d7d0153's placing of cached tokens the details do not place
(``Tokens.from_realtime``, the several-modalities branch).

1. Inconsistent server numbers (a modality's cached count above its input count) make
   ``moved = min(unplaced, inputs[m] - hits[m])`` negative: ``other_input`` goes negative
   and the modality's input grows. Counts must never be negative (a negative ``other_input``
   summed with another record's positive one even cancels it out, turning an unknown cost
   into a confident one).
2. When the largest modality's input is all cached already, ``moved`` is 0 and the unplaced
   cached tokens vanish: the rest are billed at the full rate, a confident wrong cost,
   which the change says must not happen ("never billed whole").

Right behaviour: no negative count ever; cached tokens not placed either go to a modality
with room or make the cost ``None``."""

from __future__ import annotations

from rtagents import Prices
from rtagents.usage import Tokens, UsageRecord

PRICES = {
    "gpt-realtime": Prices(
        text_input="4", cached_text_input="0.4", audio_input="32", cached_audio_input="0.4"
    )
}


def test_inconsistent_cached_details_make_no_negative_count() -> None:
    usage = {
        "input_tokens": 30,
        "output_tokens": 0,
        "input_token_details": {
            "text_tokens": 10,
            "audio_tokens": 20,
            "cached_tokens": 40,
            "cached_tokens_details": {"text_tokens": 0, "audio_tokens": 30},
        },
    }
    tokens = Tokens.from_realtime(usage)
    assert all(getattr(tokens, f) >= 0 for f in tokens.__dataclass_fields__), repr(tokens)


def test_unplaced_cached_tokens_are_never_billed_at_the_full_rate() -> None:
    usage = {
        "input_tokens": 150,
        "output_tokens": 0,
        "input_token_details": {
            "text_tokens": 100,
            "audio_tokens": 50,
            "cached_tokens": 150,  # all of it cached; the details place only the text
            "cached_tokens_details": {"text_tokens": 100},
        },
    }
    tokens = Tokens.from_realtime(usage)
    cost = UsageRecord({"gpt-realtime": tokens}).cost(PRICES)
    right = UsageRecord(
        {
            "gpt-realtime": Tokens(
                text_input=100, cached_text_input=100, audio_input=50, cached_audio_input=50
            )
        }
    ).cost(PRICES)
    assert cost is None or cost == right, f"{tokens!r}: cost {cost}, right {right} or None"
