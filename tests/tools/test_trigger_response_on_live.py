"""``trigger_response=False`` on GPT-Live: the output is sent and the batch's
``response.create`` goes all the same (a delegated response waits for every output of its
turn: ``session.live_stream.replying``), as docs/live.md says; docs/tools.md's options point
there. Before, no page said so, and an app recording something silently got a spoken turn.
"""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel, audio

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]
DOCS = Path(__file__).resolve().parents[2] / "docs"


@rtagents.tool(trigger_response=False)
def note_preference(food: str) -> str:
    """Record what the user likes, silently."""
    return f"noted: {food}"


async def test_trigger_response_false_on_live_is_as_the_docs_say() -> None:
    agent = rtagents.Agent(name="a", tools=[note_preference])
    model = ScriptedModel([CallFunction("note_preference", {"food": "pasta"}), "Spoken again."])
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live") as session:
            await session.send_audio(audio.tone(600).tobytes())
            await session.send_audio(audio.silence(400).tobytes())
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "tool.call.completed":
                        break
                else:
                    pytest.fail("the session ended before the call was answered")
            with anyio.move_on_after(1.0):  # what the session sends for the batch
                async for _ in session:
                    pass
        received = list(emu.last.received)
    outputs = [
        e
        for e in received
        if e["type"] == "response.item.create" and e["item"]["type"] == "function_call_output"
    ]
    creates = [e for e in received if e["type"] == "response.create"]
    assert len(outputs) == 1
    # The delegated response waits for every output of its turn: the batch lets it go on.
    assert len(creates) == 1, creates
    live = (DOCS / "live.md").read_text()
    assert "`trigger_response=False` has no\neffect there" in live, (
        "docs/live.md must say trigger_response=False has no effect on GPT-Live"
    )
