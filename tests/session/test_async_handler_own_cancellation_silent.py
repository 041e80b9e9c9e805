"""docs/session.md: "A handler that raises is reported as a ``session.warning`` and does not
stop the others". A sync handler that lets a ``CancelledError`` out is reported so
(``stream._call_handlers`` catches it explicitly). An async handler that lets out a
``CancelledError`` the session did not cause (it awaited a task that something else
cancelled) is not: ``_await_handler`` catches only ``Exception``, and ``SessionTasks._guard``
re-raises any cancellation, so the handler's failure vanishes: no ``session.warning``, not
even a log line. (docs/failures.md says the same of a tool: "the tool lets a CancelledError
out that the session did not cause" is a ``tool.call.failed``, ``kind="error"``.)
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import anyio
import pytest

import rtagents

from .hostile import hostile_server

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_a_handler_that_lets_out_its_own_cancellation_is_reported(
    kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    agent = rtagents.Agent(name="h")
    ran = anyio.Event()
    async with hostile_server() as server:
        with anyio.fail_after(10):
            async with rtagents.connect(agent, url=server.url) as session:
                if kind == "sync":

                    @session.on("conversation.item.added")
                    def sync_lookup(event: Any) -> None:
                        ran.set()
                        raise asyncio.CancelledError

                else:

                    @session.on("conversation.item.added")
                    async def async_lookup(event: Any) -> None:
                        # The app's own work, cancelled elsewhere (a UI that went away).
                        work = asyncio.ensure_future(asyncio.sleep(10))
                        work.cancel()
                        ran.set()
                        await work

                with caplog.at_level(logging.WARNING, logger="rtagents"):
                    await session.send_text("hello", respond=False)
                    await ran.wait()
                    await anyio.sleep(0.1)  # the handler's task ends
                    kinds = []
                    while len(session._runner.stream):
                        kinds.append(await session.__anext__())
    warned = [e for e in kinds if e.type == "session.warning" and "raised on" in e.message]
    logged = [r for r in caplog.records if "handler" in r.getMessage()]
    assert warned, f"{kind} handler's CancelledError: no session.warning (log: {logged})"
