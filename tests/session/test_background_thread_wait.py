"""A sync background tool without a ``timeout`` that finds the session's worker threads
busy gives up after the *agent's* ``tool_timeout``.

docs/tools.md (Background tools, Timeouts): "The tool's own ``timeout=`` bounds the work
... without one it runs until it ends or the session closes: the agent's ``tool_timeout``
is for the calls the model waits on, and does not apply." Right behaviour: the background
work waits for a free thread (bounded only by its own timeout, if any) and then runs.
Today ``run_call`` passes ``tool.timeout or settings.default_timeout`` as the wait for a
thread, so the work fails with a ``timeout`` ("no worker thread became free within
0.2 s") and its code never runs."""

from __future__ import annotations

import time
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel

pytestmark = pytest.mark.anyio

ran: list[str] = []


@rtagents.tool(timeout=5)
def lookup() -> str:
    """A quick-ish sync lookup (holds the one thread for a second)."""
    time.sleep(1.0)
    return "found"


@rtagents.tool(background=True)
def report() -> str:
    """A long sync report, in the background."""
    ran.append("report")
    return "report ready"


async def test_background_sync_work_is_not_bounded_by_the_agents_tool_timeout() -> None:
    ran.clear()
    model = ScriptedModel(
        [
            [
                CallFunction("lookup", {}, call_id="c_look"),
                CallFunction("report", {}, call_id="c_rep"),
            ],
            "Working on it.",
            "Report told.",
        ]
    )
    agent = rtagents.Agent(
        name="host", tools=[lookup, report], tool_timeout=0.2, output_modalities=["text"]
    )
    ended: list[Any] = []
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.url, sync_tool_threads=1) as session:
            await session.send_text("Look it up and make the report.")
            with anyio.fail_after(10):
                async for event in session:
                    if event.type in ("background.completed", "background.failed"):
                        ended.append(event)
                        break
                else:
                    pytest.fail("the session ended before the background work did")
    [end] = ended
    assert end.type == "background.completed", (end.type, getattr(end, "message", None))
    assert ran == ["report"]
