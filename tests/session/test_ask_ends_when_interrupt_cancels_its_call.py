"""``ask()`` ends when the app's ``interrupt()`` cancels the call its answer waits on: the
answer was cancelled, and no response will follow for it (a barge-in's cancelled call asks for
none: the user's next turn is answered instead). Before, ``ask()`` waited for a follow-up
response that never came, for ever."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel

pytestmark = pytest.mark.anyio


@rtagents.tool(cancel_on_interrupt=True)
async def search(q: str) -> str:
    """Search (slow)."""
    await anyio.sleep(60)
    return "found"


async def test_ask_returns_once_interrupt_cancelled_its_call() -> None:
    agent = rtagents.Agent(name="a", tools=[search], output_modalities=["text"])
    model = ScriptedModel([CallFunction("search", {"q": "x"}), "found it"])
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            started = anyio.Event()
            session.on("tool.call.started")(lambda event: started.set())
            events: list[object] = []

            async def asking() -> None:
                events.extend(await session.ask("search x"))

            with anyio.fail_after(10):
                async with anyio.create_task_group() as tg:
                    tg.start_soon(asking)
                    await started.wait()
                    await session.interrupt()
    kinds = [getattr(e, "type", None) for e in events]
    assert "tool.call.failed" in kinds or "audio.interrupted" in kinds, kinds
