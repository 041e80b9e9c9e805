"""A ``response.done`` usage whose ``cached_tokens_details`` places its cached tokens (text,
say) while the modality counts (``text_tokens``...) are left out (every field of
``RealtimeResponseUsageInputTokenDetails`` is optional in the SDK) has those cached tokens
counted twice: in ``other_input`` (``input_tokens`` minus the stated modalities) and again
as ``cached_text_input``, a cached part larger than its modality's input.

docs/usage.md: ``gen_ai.client.token.usage`` has "each token in one modality, so the sums by
type are the input and output tokens", and a ``Tokens``' cached counts are "a part of the
input". Here the server's 100 input tokens become 140 in the histogram's points
(``Tokens.parts``: 40 ``cached_text`` + 100 ``other``), and the record's ``cached_tokens``
(the span's ``gen_ai.usage.cache_read.input_tokens``) is a part of no input it counts."""

from __future__ import annotations

from openai.types.realtime import RealtimeResponseUsage

from rtagents.usage import Tokens

USAGE = {
    "total_tokens": 100,
    "input_tokens": 100,
    "output_tokens": 0,
    "input_token_details": {"cached_tokens": 40, "cached_tokens_details": {"text_tokens": 40}},
}


def test_cached_tokens_placed_by_the_details_alone_are_counted_once() -> None:
    RealtimeResponseUsage.model_validate(USAGE)  # a shape the API's own types accept
    tokens = Tokens.from_realtime(USAGE)
    parts = list(tokens.parts())
    inputs = sum(count for direction, _, count in parts if direction == "input")
    assert tokens.input_tokens == 100
    assert tokens.cached_text_input <= tokens.text_input, repr(tokens)
    assert inputs == 100, f"{tokens!r}: the histogram's input points {parts} sum to {inputs}"
