"""Input guardrails fail closed ("only an explicit, well-typed pass passes", guardrails.md).
When the server cannot transcribe what the user said
(``conversation.item.input_audio_transcription.failed``), no guardrail ever reads the
message, and the answer server VAD started for it goes on as if it had passed: the one
user message no guardrail could read is the one let through."""

from __future__ import annotations

from typing import Any

import pytest

from .spoken import spoken_turn

pytestmark = pytest.mark.anyio


def failed(event: dict[str, Any]) -> dict[str, Any] | None:
    """The server's transcription of the user's turn fails: its ``...completed`` comes as
    the API's ``...failed`` (its deltas, none)."""
    kind = event.get("type")
    if kind == "conversation.item.input_audio_transcription.delta":
        return None
    if kind == "conversation.item.input_audio_transcription.completed":
        return {
            "type": "conversation.item.input_audio_transcription.failed",
            "event_id": event["event_id"],
            "item_id": event["item_id"],
            "content_index": 0,
            "error": {
                "type": "transcription_error",
                "code": "audio_unintelligible",
                "message": "Audio could not be transcribed.",
            },
        }
    return event


async def test_a_message_no_guardrail_could_read_is_not_answered() -> None:
    events = await spoken_turn(failed)
    kinds = [e.type for e in events]
    assert "conversation.item.input_audio_transcription.failed" in kinds
    done = events[-1]
    trips = [e for e in events if e.type == "guardrail.tripped"]
    # Fail closed: the turn no guardrail could read is stopped (or at least reported).
    assert trips or done.response.status == "cancelled", (
        f"the answer to an unreadable user turn went out unchecked: status "
        f"{done.response.status!r}, no guardrail.tripped"
    )
