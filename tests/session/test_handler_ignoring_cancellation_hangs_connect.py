"""An async event handler that ignores its cancellation must not keep ``connect`` from
returning: the docs bound the end's own handlers to two seconds each ("their async handlers
run to completion, for at most two seconds each"), and tool code that ignores cancellation
is left behind after ``shutdown_grace``. A handler that swallows ``CancelledError`` is joined
forever, inside a shielded wait, so not even the app's own timeout gets it out."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest

import rtagents
from tests.session.hostile import hostile_server

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("kind", ["session.closed", "rate_limits.updated"])
async def test_a_handler_that_ignores_cancellation_does_not_hang_the_exit(kind: str) -> None:
    release = asyncio.Event()  # lets the stubborn handler go once the test has its answer
    entered = asyncio.Event()

    async def stubborn(event: Any) -> None:
        entered.set()
        while not release.is_set():
            with contextlib.suppress(asyncio.CancelledError):  # app code that swallows it
                await asyncio.sleep(10)

    async with hostile_server() as server:

        async def run() -> None:
            async with rtagents.connect(rtagents.Agent(name="h"), url=server.url) as session:
                session.on(kind)(stubborn)
                await server.send({"type": "rate_limits.updated", "rate_limits": []})
                if kind != "session.closed":
                    await entered.wait()

        task = asyncio.get_running_loop().create_task(run())
        done, _ = await asyncio.wait({task}, timeout=10)
        release.set()  # whatever happened, let the handler (and the test) end
        if not done:
            await asyncio.wait({task}, timeout=5)
            pytest.fail("connect() had not returned 10 s after the block ended")
        task.result()
