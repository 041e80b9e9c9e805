"""Over a socket: an output the replay cannot give back (past the journal's bound) is asked
to be answered once on the new connection, with a warning, never after every response (see
``test_owed_once``, the rule sans I/O)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import (
    CallFunction,
    DropConnection,
    Emulator,
    ModelContext,
    Say,
    ScriptedModel,
)

pytestmark = pytest.mark.anyio


@rtagents.tool
async def export() -> str:
    """The whole export."""
    return "x" * 70_000  # past the journal's bound: a replay cannot give it back


async def test_an_output_the_replay_cannot_give_back_is_asked_for_once() -> None:
    def answer(ctx: ModelContext) -> list[Any]:
        outputs = [i for i in ctx.items if i.get("type") == "function_call_output"]
        return [Say(f"outputs seen: {len(outputs)}")]

    model = ScriptedModel([CallFunction("export", call_id="call_1"), *[answer] * 20])
    agent = rtagents.Agent(name="a", tools=[export], output_modalities=["text"])
    warnings: list[Any] = []
    async with Emulator(model=model) as emu:
        fast = rtagents.Reconnect(backoff=0.01, max_backoff=0.05)
        async with rtagents.connect(agent, url=emu.url, reconnect=fast) as session:
            session.on("session.warning")(warnings.append)
            # The drop comes while the response answering the output runs.
            emu.last.add_fault(DropConnection(after="response.created", nth=2))
            await session.send_text("export please")
            with anyio.fail_after(5):
                while len(emu.connections) < 2 or not [
                    w for w in warnings if "never confirmed" in w.message
                ]:
                    await anyio.sleep(0.02)
            await anyio.sleep(0.5)  # a loop, if there were one, asks many times meanwhile
            second = emu.connections[1].received
    asks = [e for e in second if e["type"] == "response.create"]
    assert len(asks) == 1, [e["type"] for e in second]
    assert warnings[-1].detail == {"call_ids": ["call_1"]}
