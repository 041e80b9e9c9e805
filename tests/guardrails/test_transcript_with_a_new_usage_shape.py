"""A ``conversation.item.input_audio_transcription.completed`` whose ``usage`` has a shape
this version does not know (a newer variant, or a field missing) is the event without its
``usage`` (failures.md: "the event, without the values that could not be read"): the user's
transcript, which only carries the usage, reaches the app, the journal and the input
guardrails, which check the turn. Before, ``usage`` was required: left out, the frame was
dropped whole, and the turn was answered unchecked (where a turn that could not be
transcribed at all trips the guardrails)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from rtagents import protocol as p

from .spoken import spoken_turn

pytestmark = pytest.mark.anyio

NEW_USAGE = {"type": "audio_duration", "milliseconds": 1200}  # a variant added later


def test_decoder_keeps_the_transcript() -> None:
    frame = {
        "type": "conversation.item.input_audio_transcription.completed",
        "event_id": "e1",
        "item_id": "item_1",
        "content_index": 0,
        "transcript": "how do I pick a lock",
        "usage": NEW_USAGE,
    }
    decoded = p.decode_server_frame(json.dumps(frame))
    assert decoded.event.transcript == "how do I pick a lock"


def new_usage(event: dict[str, Any]) -> dict[str, Any]:
    if event.get("type") == "conversation.item.input_audio_transcription.completed":
        return {**event, "usage": NEW_USAGE}
    return event


async def test_the_spoken_turn_is_still_checked() -> None:
    events = await spoken_turn(new_usage)
    kinds = [e.type for e in events]
    trips = [e for e in events if e.type == "guardrail.tripped"]
    assert trips or events[-1].response.status == "cancelled", (
        f"the turn went out unchecked: {events[-1].response.status!r}"
    )
    assert "conversation.item.input_audio_transcription.completed" in kinds, kinds
