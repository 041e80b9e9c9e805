"""A batch's output that finished while the user spoke is asked for once the user's turn
is over with no response of its own (its audio buffer cleared: ``input_audio_buffer.cleared``):
DESIGN.md, exactly one ``response.create`` per batch, once every call has its output. Before,
``RealtimeCore._on_turn_over`` released a held aside for a cleared turn but never asked for
what was owed: the tool's output waited for ever."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from tests.session.hostile import hostile_server

pytestmark = pytest.mark.anyio


@rtagents.tool
async def lookup(key: str) -> str:
    """Look a key up (takes a moment)."""
    await anyio.sleep(0.2)
    return f"value of {key}"


async def test_output_finished_during_a_cleared_turn_is_asked_for() -> None:
    agent = rtagents.Agent(name="a", tools=[lookup])
    async with hostile_server() as server:
        with anyio.fail_after(10):
            async with rtagents.connect(agent, url=server.url) as session:
                await server.call("lookup", {"key": "k"}, "c1")  # response done, call runs
                await server.send(
                    {
                        "type": "input_audio_buffer.speech_started",
                        "audio_start_ms": 0,
                        "item_id": "u1",
                    }
                )
                await server.output_for("c1")  # it finished while the user spoke
                await server.send({"type": "input_audio_buffer.cleared"})  # no turn after all
                async for event in session:
                    if event.type == "input_audio_buffer.cleared":
                        break
                else:
                    pytest.fail("never read")
                with anyio.move_on_after(1):
                    await server.wait_for(lambda e: e["type"] == "response.create")
    assert len(server.sent("response.create")) == 1, "the batch's output is never answered"
