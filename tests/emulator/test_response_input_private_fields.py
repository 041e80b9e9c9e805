"""Review (diff 99126f3): an item's keys of the emulator's own (``_audio_ms``, ``_pcm``) are
refused in ``conversation.item.create`` only. The same item given inline in a
``response.create``'s ``input`` (an out-of-band response's own context) is taken as it
came (``Conversation.context`` -> ``check_item`` looks at type and role only), and
``usage.usage`` then sums its ``_audio_ms``: the job fails ("emulator job failed") and the
response never ends (no ``response.done``): the stall the fix meant to close."""

from __future__ import annotations

import pytest

from rtagents.emulator import Emulator, ScriptedModel
from tests.emulator.wire import Wire

pytestmark = pytest.mark.anyio


async def test_an_inline_input_item_with_a_bookkeeping_field_never_hangs_a_response(
    log_lines: list[str],
) -> None:
    item = {
        "type": "message",
        "role": "user",
        "content": [{"type": "input_text", "text": "hello"}],
        "_audio_ms": "lots",
    }
    async with Emulator(model=ScriptedModel(["Hi."])) as emu:
        wire = await Wire.open(emu.url)
        await wire.send(
            {
                "type": "response.create",
                "event_id": "c1",
                "response": {
                    "conversation": "none",
                    "output_modalities": ["text"],
                    "input": [item],
                },
            }
        )
        first = await wire.next()
        if first["type"] != "error":  # accepted: the response it started must end
            seen = await wire.until("response.done", timeout=3)
            assert seen[-1]["response"]["status"] == "completed", seen[-1]
        await wire.ws.close()
    assert not [line for line in log_lines if "emulator job failed" in line], log_lines
