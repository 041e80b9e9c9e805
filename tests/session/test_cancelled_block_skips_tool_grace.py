"""Rule broken: no tool code of the session's is left running when ``connect`` returns,
unless it ignored its cancellation past ``shutdown_grace`` (failures.md: "tool code that
ignored its cancellation gets ``shutdown_grace`` (2 s) to stop; after that it is left
behind, with a warning in the log, and ``connect`` returns").

The app bounds the whole session with a cancel scope (``anyio.move_on_after``, "a call lasts
at most N minutes"), the usual way to stop a task. The session's end cancels a running tool,
whose code honours the cancellation but has async cleanup to do (a ``finally`` that rolls a
transaction back). ``connect`` waits for its event handlers' cleanup in that case
(``test_hostile.py::test_a_cancelled_connect_waits_for_its_handlers_to_end``), but the wait
for tool code (``Dispatcher.let_go``: ``asyncio.wait(..., timeout=grace)``) is not shielded:
under the cancelled scope it is cancelled at once. ``connect`` returns with the tool's cleanup
still running, no grace given and no "left behind" warning logged; the wait for the handlers
of what that code tells later (the shielded ``join`` after it) is skipped too.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import anyio
import pytest

import rtagents

from .hostile import hostile_server

pytestmark = pytest.mark.anyio


async def test_a_cancelled_connect_gives_tool_code_its_grace() -> None:
    steps: list[str] = []
    started = anyio.Event()

    @rtagents.tool
    async def book(ctx: rtagents.ToolContext) -> str:
        """Books something, in a transaction."""
        steps.append("started")
        started.set()
        try:
            await anyio.sleep_forever()
        finally:
            with anyio.CancelScope(shield=True):
                await anyio.sleep(0.3)  # the rollback: well within shutdown_grace
            steps.append("rolled back")
        return "booked"

    agent = rtagents.Agent(name="h", tools=[book])
    async with hostile_server() as server:
        before = set(asyncio.all_tasks())
        with anyio.fail_after(10):
            with anyio.move_on_after(0.5) as scope:
                async with rtagents.connect(agent, url=server.url, shutdown_grace=2) as session:
                    await server.call("book", {}, "c1")
                    await started.wait()
                    await anyio.sleep_forever()
        assert scope.cancelled_caught
        still = [
            getattr(t.get_coro(), "__qualname__", "?")
            for t in asyncio.all_tasks() - before
            if not t.done() and "Dispatcher" in getattr(t.get_coro(), "__qualname__", "")
        ]
        assert steps == ["started", "rolled back"], (steps, still)
        assert session.closed_reason is not None


async def test_a_cancelled_connect_still_tells_a_late_result_within_the_grace() -> None:
    """The same skipped wait loses a side effect's report: tool code that finishes within
    the grace is told as ``tool.call.abandoned`` (with its output) when the app closes the
    session, but not when the app's cancel scope ends it."""
    started = anyio.Event()

    @rtagents.tool
    async def charge() -> str:
        """Charges the card."""
        started.set()
        with contextlib.suppress(BaseException):  # a payment SDK finishes what it started
            await anyio.sleep_forever()
        await asyncio.sleep(0.3)
        return "charged the card"

    agent = rtagents.Agent(name="h", tools=[charge])
    told: list[Any] = []
    async with hostile_server() as server:
        with anyio.fail_after(10):
            with anyio.move_on_after(0.5):
                async with rtagents.connect(agent, url=server.url, shutdown_grace=2) as session:
                    session.on("tool.call.abandoned")(lambda e: told.append(e.output))
                    await server.call("charge", {}, "c1")
                    await started.wait()
                    await anyio.sleep_forever()
        assert told == ["charged the card"], "the late result was never told to the app"
