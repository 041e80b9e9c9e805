"""docs/usage.md: "Records add (``a + b``) and never change once made, so the usage of many
sessions or calls is their sum". Python's ``sum`` of records (``sum(call.usage for call in
calls)``, the idiom for "their sum") raises ``TypeError``: neither ``UsageRecord`` nor
``Tokens`` takes the ``0`` that ``sum`` starts from (no ``__radd__``). And a Responses
usage's cached count past its input was counted whole (more input than the server said)."""

from __future__ import annotations

from rtagents import Tokens, UsageRecord


def test_the_usage_of_many_calls_is_their_sum() -> None:
    calls = [
        UsageRecord({"gpt-realtime": Tokens(text_input=10, audio_output=5)}, responses=1),
        UsageRecord(
            {"gpt-realtime": Tokens(text_input=1)}, seconds={"whisper-1": 3.0}, responses=1
        ),
    ]
    total = sum(calls)  # observed: TypeError: unsupported operand type(s) for +: 'int' and ...
    assert total == calls[0] + calls[1]


def test_tokens_sum() -> None:
    assert sum([Tokens(text_input=1), Tokens(audio_output=2)]) == Tokens(
        text_input=1, audio_output=2
    )


def test_a_responses_usage_never_counts_more_cached_than_its_input() -> None:
    # An odd but seen shape: a cached count above the input count (a proxy's rounding, a
    # backend's bug). The cached part is of the input: at most all of it, as for Realtime.
    odd = {"input_tokens": 10, "input_tokens_details": {"cached_tokens": 25}, "output_tokens": 3}
    tokens = Tokens.from_responses(odd)
    assert (tokens.text_input, tokens.cached_text_input) == (10, 10)
    assert sum(n for direction, _, n in tokens.parts() if direction == "input") == 10
