"""A closed session is freed by reference counting alone (issue #36): nothing of it is left
in a reference cycle that only a full collection frees. That is what makes ``gc.freeze()``
after a ramp safe (docs/deployment.md, "Many sessions in one process"): a frozen session
that closes later would otherwise stay in memory for good."""

from __future__ import annotations

import gc
import weakref
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel

pytestmark = pytest.mark.anyio


@rtagents.tool
def weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


def ours(garbage: list[Any]) -> list[str]:
    """The session's objects among ``garbage`` (the emulator's own are not the client's)."""
    names = []
    for obj in garbage:
        module = type(obj).__module__ or ""
        if module.startswith("rtagents.") and not module.startswith("rtagents.emulator"):
            names.append(f"{module}.{type(obj).__qualname__}")
    return sorted(names)


async def open_and_close(
    url: str, agent: rtagents.Agent, *, talk: bool
) -> weakref.ref[rtagents.RealtimeSession]:
    async with rtagents.connect(agent, url=url) as session:
        if talk:
            events = await session.ask("weather in Paris?")
            assert "tool.call.completed" in [e.type for e in events]
    return weakref.ref(session)


@pytest.mark.parametrize("talk", [False, True], ids=["idle", "with-a-tool-call"])
async def test_a_closed_session_leaves_no_cyclic_garbage(talk: bool) -> None:
    model = ScriptedModel([CallFunction("weather", {"city": "Paris"}), "sunny"] * 10)
    agent = rtagents.Agent(name="freed", tools=[weather], output_modalities=["text"])
    async with Emulator(model=model) as emu:
        await open_and_close(emu.url, agent, talk=talk)  # imports and caches: not a session's
        gc.collect()
        gc.disable()
        try:
            closed = [await open_and_close(emu.url, agent, talk=talk) for _ in range(5)]
            await anyio.sleep(0.1)  # the closes' last callbacks
            alive = sum(ref() is not None for ref in closed)  # before any collection
            gc.set_debug(gc.DEBUG_SAVEALL)
            found = gc.collect()
            left = ours(gc.garbage)
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
            gc.enable()
    assert alive == 0, f"{alive} closed sessions not freed by reference counting"
    assert left == [], f"{len(left)} objects of closed sessions in cycles ({found} in all)"
