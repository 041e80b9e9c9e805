"""A Realtime ``response.done`` usage that reports ``cached_tokens`` without the optional
``cached_tokens_details`` (both are optional in the spec's ``RealtimeResponseUsage``) has
its cached tokens dropped: ``Tokens.from_realtime`` reads only the details, so the cached
input is priced at the full input rate and ``cost`` is a confident, wrong figure.

docs/usage.md promises a cost that is exact or ``None`` ("never a figure that silently
leaves part out"; "Never a guess"). Right behaviour: cached tokens the details do not place
are either attributed (here all input is text, so they are cached text) or counted as
cached input of no stated modality, making the cost ``None`` with a warning; never billed
as uncached."""

from __future__ import annotations

from rtagents import Prices
from rtagents.usage import Tokens, UsageRecord


def test_cached_tokens_reported_without_details_are_not_billed_at_full_price() -> None:
    usage = {
        "total_tokens": 1100,
        "input_tokens": 1000,
        "output_tokens": 100,
        "input_token_details": {"text_tokens": 1000, "audio_tokens": 0, "cached_tokens": 800},
        "output_token_details": {"text_tokens": 100, "audio_tokens": 0},
    }
    tokens = Tokens.from_realtime(usage)
    prices = {"gpt-realtime": Prices(text_input="4", cached_text_input="0.4", text_output="16")}
    cost = UsageRecord({"gpt-realtime": tokens}).cost(prices)
    # (200 x 4 + 800 x 0.4 + 100 x 16) / 1e6 = 0.00272 if attributed; None if left unknown.
    assert cost is None or cost == UsageRecord(
        {"gpt-realtime": Tokens(text_input=1000, cached_text_input=800, text_output=100)}
    ).cost(prices), f"cached tokens dropped: {tokens!r}, cost {cost}"


def test_cached_tokens_of_no_stated_modality_make_the_cost_unknown() -> None:
    usage = {
        "input_tokens": 1000,
        "output_tokens": 0,
        "input_token_details": {"text_tokens": 400, "audio_tokens": 600, "cached_tokens": 300},
    }
    tokens = Tokens.from_realtime(usage)
    assert tokens.input_tokens == 1000 and tokens.other_input == 300
    prices = {
        "gpt-realtime": Prices(
            text_input="4", cached_text_input="0.4", audio_input="32", cached_audio_input="0.4"
        )
    }
    assert UsageRecord({"gpt-realtime": tokens}).cost(prices) is None
