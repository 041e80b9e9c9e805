"""Usage as OpenTelemetry attributes: a response's span and the session's, read from the
``rtagents.usage`` records the session counts (one place counts; this only names)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..usage import Tokens, UsageRecord

OPERATIONS = {
    "response": "realtime_inference",
    "backend": "responses_inference",
    "transcription": "transcription",
    "decision": "decision",
}
"""``gen_ai.operation.name`` by what reported the usage (``usage.updated``'s ``source``)."""


def usage_attributes(tokens: Tokens, prefix: str = "") -> dict[str, Any]:
    """The GenAI convention's ``gen_ai.usage.*`` of ``tokens``, and ours by modality
    (``rtagents.usage.input_audio_tokens``...). ``prefix`` names a part of the usage
    (``transcription.``) in our attributes; the convention's are for the model's own."""
    ours = f"rtagents.usage.{prefix}"
    out: dict[str, Any] = {
        f"{ours}input_text_tokens": tokens.text_input,
        f"{ours}input_audio_tokens": tokens.audio_input,
        f"{ours}output_text_tokens": tokens.text_output,
        f"{ours}output_audio_tokens": tokens.audio_output,
        f"{ours}cached_input_text_tokens": tokens.cached_text_input,
        f"{ours}cached_input_audio_tokens": tokens.cached_audio_input,
    }
    if tokens.image_input:
        out[f"{ours}input_image_tokens"] = tokens.image_input
        out[f"{ours}cached_input_image_tokens"] = tokens.cached_image_input
    if prefix:
        out[f"{ours}input_tokens"] = tokens.input_tokens
        out[f"{ours}output_tokens"] = tokens.output_tokens
    else:
        out["gen_ai.usage.input_tokens"] = tokens.input_tokens
        out["gen_ai.usage.output_tokens"] = tokens.output_tokens
        out["gen_ai.usage.cache_read.input_tokens"] = tokens.cached_tokens
    return out


def session_usage_attributes(usage: UsageRecord, cost: Decimal | None) -> dict[str, Any]:
    """The session span's totals: the conversation's tokens, the transcription's, the
    seconds billed by duration, how many responses, and the cost when it is known."""
    out = usage_attributes(usage.tokens)
    out["rtagents.usage.responses"] = usage.responses
    if usage.transcription:
        out.update(usage_attributes(sum(usage.transcription.values(), Tokens()), "transcription."))
    if usage.seconds:
        out["rtagents.usage.seconds"] = float(sum(usage.seconds.values()))
    if cost is not None:
        out["rtagents.usage.cost"] = float(cost)
    return out
