"""Token counts, roughly as the server reports them: the emulator has no tokenizer, so
text is counted at four characters a token and audio by its length."""

from __future__ import annotations

from typing import Any

AUDIO_IN_MS_PER_TOKEN = 100


def tokens(text: str) -> int:
    return max(1, len(text) // 4) if text else 0


def usage(context: list[dict[str, Any]], text_out: int, audio_out: int) -> dict[str, Any]:
    """A response's ``usage``: its context as input, what it produced as output."""
    text = sum(
        tokens(part.get("text") or part.get("transcript") or "")
        for item in context
        for part in item.get("content", [])
    ) + sum(tokens(item.get("output") or item.get("arguments") or "") for item in context)
    audio_in = sum(item.get("_audio_ms", 0) for item in context) // AUDIO_IN_MS_PER_TOKEN
    return {
        "total_tokens": text + audio_in + text_out + audio_out,
        "input_tokens": text + audio_in,
        "output_tokens": text_out + audio_out,
        "input_token_details": {
            "text_tokens": text,
            "audio_tokens": audio_in,
            "image_tokens": 0,
            "cached_tokens": 0,
            "cached_tokens_details": {"text_tokens": 0, "audio_tokens": 0, "image_tokens": 0},
        },
        "output_token_details": {"text_tokens": text_out, "audio_tokens": audio_out},
    }


def transcription_usage(model: Any, text: str, audio_ms: int) -> dict[str, Any]:
    """A transcription's ``usage``, billed as its model is: ``whisper-1`` by the second, the
    others (``gpt-4o-transcribe``, ...) by their tokens."""
    if model == "whisper-1":
        return {"type": "duration", "seconds": audio_ms / 1000}
    audio_in, text_out = audio_ms // AUDIO_IN_MS_PER_TOKEN, tokens(text)
    return {
        "type": "tokens",
        "input_tokens": audio_in,
        "output_tokens": text_out,
        "total_tokens": audio_in + text_out,
        "input_token_details": {"text_tokens": 0, "audio_tokens": audio_in},
    }
