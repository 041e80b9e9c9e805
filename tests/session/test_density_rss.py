"""An idle session's memory is little more than a bare websocket's (issue #36): the bytes it
keeps, counted by tracemalloc (deterministic, unlike RSS, which follows the allocator), are at
most 1.5x those of a bare ``websockets`` connection that sent ``session.update``, read the
reply and has a reader task, counted in the same run. What makes it so, each tested here too:
the frames kept for an app that has not read yet are packed against one shared frame (the
session's configuration is much the same in every session of a process), and so is
``RealtimeCore.config``; yet an app that starts reading late sees the very events it would
have seen reading at once.

The emulator runs in a process of its own, so that only the client's memory is counted.
"""

from __future__ import annotations

import asyncio
import tracemalloc
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack

import pytest

import rtagents

from .test_density_objects import bare, emulator, per_session, sessions

pytestmark = pytest.mark.anyio

TARGET = 1.5  # the issue's: at most 1.5x a bare websocket session's memory
FIRST = ("session.created", "conversation.created", "session.updated")


def traced_bytes() -> int:
    return tracemalloc.get_traced_memory()[0]


async def bytes_per_session(
    url: str, open_n: Callable[[str, int, AsyncExitStack], Awaitable[None]]
) -> float:
    """The bytes each of ``SESSIONS`` open idle sessions keeps, by tracemalloc."""
    tracemalloc.start()
    try:
        return await per_session(url, open_n, traced_bytes)
    finally:
        tracemalloc.stop()


@pytest.mark.timeout(120)
async def test_an_idle_session_keeps_at_most_one_and_a_half_bare_websockets_bytes() -> None:
    async with emulator() as url:
        websocket = await bytes_per_session(url, bare)
        session = await bytes_per_session(url, sessions)
    ratio = session / websocket
    print(f"bytes per idle session: {session:.0f}, bare {websocket:.0f}: {ratio:.2f}x")
    assert ratio <= TARGET, f"{session:.0f} bytes per session, {ratio:.2f}x bare"


def dumps(events: list[object]) -> list[str]:
    return [e.model_dump_json() for e in events]  # type: ignore[attr-defined]


@pytest.mark.timeout(60)
async def test_an_app_that_reads_late_sees_the_first_events_as_one_that_read_at_once() -> None:
    agent = rtagents.Agent(name="late")
    async with emulator() as url, AsyncExitStack() as stack:
        early = await stack.enter_async_context(rtagents.connect(agent, url=url))
        seen = [await early.__anext__() for _ in FIRST]
        late = await stack.enter_async_context(rtagents.connect(agent, url=url))
        await asyncio.sleep(0.2)
        # Kept unread: compressed, a part of each frame.
        buffer = late._runner.stream._queue
        assert buffer is not None and len(buffer) == len(FIRST)
        for entry in buffer:
            kept, size = entry[0], entry[1]
            assert isinstance(kept, bytes) and len(kept) < size, (len(kept), size)
        read = [await late.__anext__() for _ in FIRST]
        assert [e.type for e in seen] == [e.type for e in read] == list(FIRST)
        # The same events, bar the ids and times each session has of its own.
        for a, b in zip(seen, read, strict=True):
            assert type(a) is type(b)
            assert a.model_dump(exclude={"event_id", "session", "conversation"}) == b.model_dump(
                exclude={"event_id", "session", "conversation"}
            )
        config = late.config
        assert config["type"] == "realtime" and config == early.config | {"id": config["id"]} | {
            "expires_at": config["expires_at"]
        }
        assert read[2].session.id == config["id"]
