"""An input transcription's usage is counted under the transcription model configured when
its report *arrives*, not the one that transcribed the audio. The Realtime API transcribes
asynchronously ("this event may come before or after the Response events"), so the last
turn before a handoff or ``update_agent`` is often reported after the new agent's
``session.updated``. A ``whisper-1`` turn (billed by duration) is then counted as seconds of
the new agent's ``gpt-4o-mini-transcribe``, a model that bills by tokens: the usage names a
model that never transcribed it, and the cost goes to ``None`` with a warning that
``gpt-4o-mini-transcribe`` has no per_minute price, though every price the session used
was given."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Prices
from rtagents import protocol as p
from tests.session.hostile import hostile_server

pytestmark = pytest.mark.anyio

PRICES = {
    "gpt-realtime": Prices(text_input="4", audio_input="32", text_output="16", audio_output="64"),
    "whisper-1": Prices(per_minute="0.006"),
    "gpt-4o-mini-transcribe": Prices(audio_input="3", text_input="1.25", text_output="5"),
}


def agent(name: str, model: str) -> rtagents.Agent:
    return rtagents.Agent(
        name=name, transcription=p.AudioTranscription(model=model), turn_detection=None
    )


async def test_a_late_transcription_is_counted_under_the_model_that_made_it() -> None:
    first, second = agent("front", "whisper-1"), agent("billing", "gpt-4o-mini-transcribe")
    seen: list[Any] = []
    async with hostile_server() as server:
        async with rtagents.connect(first, url=server.url, prices=PRICES) as session:
            # The user's turn is committed under the first agent's configuration (whisper-1).
            await server.send(
                {
                    "type": "input_audio_buffer.committed",
                    "item_id": "item_u1",
                    "previous_item_id": None,
                }
            )
            await server.send(
                {
                    "type": "conversation.item.added",
                    "item": {
                        "type": "message",
                        "role": "user",
                        "id": "item_u1",
                        "status": "completed",
                        "content": [{"type": "input_audio", "transcript": None}],
                    },
                }
            )
            await session.update_agent(second)  # the new agent's session.updated comes back
            # whisper-1's transcript of that turn comes now (billed by duration).
            await server.send(
                {
                    "type": "conversation.item.input_audio_transcription.completed",
                    "item_id": "item_u1",
                    "content_index": 0,
                    "transcript": "Put me through to billing.",
                    "usage": {"type": "duration", "seconds": 3.0},
                }
            )
            with anyio.fail_after(5):
                async for event in session:
                    seen.append(event)
                    if event.type == "usage.updated":
                        break
                else:
                    pytest.fail("the session ended before the transcription's usage")
            usage, cost = session.usage, session.cost
    warnings = [e.message for e in seen if e.type == "session.warning"]
    assert dict(usage.seconds) == {"whisper-1": 3.0}, (dict(usage.seconds), warnings)
    assert cost is not None, warnings
