"""A sync tool whose call was given up (its timeout) and that then returns a lazy result
(a generator, ``map``) past ``max_tool_output_bytes`` did its work all the same: the app hears
of it as ``tool.call.abandoned``, as it does for a list or a str past the limit (failures.md:
"a tool finishes after its call was given up -> tool.call.abandoned"). Before, the iterator
found too large in the worker thread was raised there, taken for a failure of the tool's
code, and nothing was reported."""

from __future__ import annotations

import json
import threading
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]

LIMIT = 1000


async def _late(result: Any) -> list[Any]:
    release = threading.Event()

    @rtagents.tool(timeout=0.2)
    def export() -> Any:
        """A slow export."""
        release.wait(5)
        return result

    def given_up(ctx: ModelContext) -> str:
        release.set()  # the call was answered "timeout": its code now returns, late
        return " | ".join(o["output"] for o in ctx.pending_outputs)

    agent = rtagents.Agent(
        name="t", tools=[export], output_modalities=["text"], max_tool_output_bytes=LIMIT
    )
    model = ScriptedModel([CallFunction("export", {}, call_id="e"), given_up])
    events: list[Any] = []
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            session.on("*")(events.append)
            await session.send_text("go")
            with anyio.move_on_after(3):  # the answer, then (at most 3 s) the late result
                while not any(e.type == "tool.call.abandoned" for e in events):
                    await anyio.sleep(0.02)
    [failed] = [e for e in events if e.type == "tool.call.failed"]
    assert failed.kind == "timeout" and json.loads(failed.output)["error"] == "timeout"
    return [e for e in events if e.type == "tool.call.abandoned"]


async def test_a_late_list_past_the_limit_is_abandoned() -> None:  # the control: passes
    [abandoned] = await _late(list(range(LIMIT)))
    assert "the limit is 1000" in abandoned.output


async def test_a_late_iterator_past_the_limit_is_abandoned_too() -> None:
    abandoned = await _late(iter(range(LIMIT)))
    assert len(abandoned) == 1, "the late lazy result was never reported as tool.call.abandoned"
