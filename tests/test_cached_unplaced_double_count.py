"""A ``response.done`` whose ``usage`` says ``cached_tokens`` but names no modality for the
cached part (``cached_tokens_details`` and the modality counts are optional in the SDK's
``RealtimeResponseUsage``) has those cached tokens counted twice: once in the input tokens
of no stated modality (``input_tokens`` minus the modality counts) and once more as
"unplaced" cached tokens. ``session.usage.input_tokens`` then exceeds the server's
``input_tokens``, and so do the spans' ``gen_ai.usage.input_tokens`` and the metrics."""

from __future__ import annotations

import anyio
import pytest
from openai.types.realtime import RealtimeResponseUsage

import rtagents
from rtagents import Tokens
from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio

NO_MODALITY = {  # 100 input tokens, 50 of them cached, of no stated modality
    "total_tokens": 110,
    "input_tokens": 100,
    "output_tokens": 10,
    "input_token_details": {"cached_tokens": 50},
    "output_token_details": {"text_tokens": 10},
}
PARTLY_STATED = {  # 100 text tokens (all cached), 100 more of no stated modality, 150 cached
    "total_tokens": 200,
    "input_tokens": 200,
    "output_tokens": 0,
    "input_token_details": {"text_tokens": 100, "cached_tokens": 150},
}


@pytest.mark.parametrize("shape", [NO_MODALITY, PARTLY_STATED], ids=["none", "partly"])
def test_unplaced_cached_tokens_do_not_grow_the_input(shape: dict) -> None:
    usage = RealtimeResponseUsage.model_validate(shape)  # a shape the SDK allows
    tokens = Tokens.from_realtime(usage)
    assert tokens.input_tokens == shape["input_tokens"], tokens
    assert tokens.total_tokens == shape["total_tokens"], tokens


async def test_the_session_counts_the_servers_input_tokens_once() -> None:
    async with Emulator(model=ScriptedModel(["Hello."])) as emu:
        async with rtagents.connect(rtagents.Agent(), url=emu.url) as session:
            emu.last.push(
                {
                    "type": "response.done",
                    "event_id": "event_review_1",
                    "response": {
                        "id": "resp_review_1",
                        "object": "realtime.response",
                        "status": "completed",
                        "output": [],
                        "usage": NO_MODALITY,
                    },
                }
            )
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "usage.updated":
                        break
                else:
                    pytest.fail("the session ended before the usage was reported")
            usage = session.usage
    assert event.usage.input_tokens == 100, event.usage
    assert usage.input_tokens == 100 and usage.total_tokens == 110, usage
