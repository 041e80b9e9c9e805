"""docs/session.md: ``session.closed`` is "the last event, with the reason: nothing the
server sent after the end is told (only a tool's late result, ``tool.call.abandoned``, can
follow it)".

An async handler of an event the end tells (``session.closed`` itself here) that raises is
reported as a ``session.warning`` (as any failing handler is), but that warning is delivered
once the handler's task has run, after ``session.closed`` went into the buffer: an
``async for`` over the session reads a ``session.warning`` after ``session.closed``. (A sync
handler's failure is told before the event, so only async handlers of the end's events do
this.) An app whose loop treats ``session.closed`` as the end-of-stream marker, as the docs
say it may, runs on past it.
"""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents

from .hostile import hostile_server

pytestmark = pytest.mark.anyio


async def test_session_closed_is_the_last_event_even_when_its_async_handler_fails() -> None:
    agent = rtagents.Agent(name="h")
    async with hostile_server() as server:
        with anyio.fail_after(10):
            async with rtagents.connect(agent, url=server.url) as session:

                @session.on("session.closed")
                async def report(event: Any) -> None:
                    raise RuntimeError("the dashboard is down")

                await session.close()
            kinds = [event.type async for event in session]
    assert "session.closed" in kinds
    after = kinds[kinds.index("session.closed") + 1 :]
    assert after == [], f"told after session.closed: {after}"
