"""An idle session costs the garbage collector little more than a bare websocket does
(issue #36): the GC-tracked objects it keeps, which a full collection scans, are at most
1.5x those of a bare ``websockets`` connection that sent ``session.update``, read the reply
and has a reader task, counted in the same run. (The pause of a full collection follows the
count: see docs/deployment.md, "Many sessions in one process".)

The emulator runs in a process of its own, so that only the client's objects are counted.
"""

from __future__ import annotations

import asyncio
import gc
import json
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import pytest
from websockets.asyncio.client import connect as ws_connect

import rtagents

pytestmark = pytest.mark.anyio

SESSIONS = 60
TARGET = 1.5  # the issue's: at most 1.5x a bare websocket session's objects
MARGIN = 0.1  # counts are deterministic up to a few objects of the loop's bookkeeping

SERVE = """
import asyncio, sys
from rtagents.emulator import Emulator

async def main():
    async with Emulator(record=0, keep_closed=1) as emu:
        print(emu.url, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)

asyncio.run(main())
"""


@asynccontextmanager
async def emulator(script: str = SERVE) -> AsyncIterator[str]:
    """An emulator in a process of its own (``script`` serves it and prints its URL), so that
    its objects are not counted as the session's."""
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        line = await asyncio.get_running_loop().run_in_executor(None, proc.stdout.readline)
        assert line.startswith("ws://"), line
        yield line.strip()
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


async def bare(url: str, n: int, stack: AsyncExitStack) -> None:
    """``n`` bare websockets sessions: session.update sent, its reply read, a reader task
    (kept in two lists, as a bare client would)."""

    async def reader(ws: Any) -> None:
        async for _ in ws:
            pass

    async def close() -> None:
        for task in tasks:
            task.cancel()
        for ws in sockets:
            await ws.close()

    sockets: list[Any] = []
    tasks: list[asyncio.Task[None]] = []
    stack.push_async_callback(close)
    update = json.dumps({"type": "session.update", "session": {"type": "realtime"}})
    for _ in range(n):
        ws = await ws_connect(url + "?model=x", compression=None)
        sockets.append(ws)
        await ws.send(update)
        while json.loads(await ws.recv())["type"] != "session.updated":
            pass
        tasks.append(asyncio.get_running_loop().create_task(reader(ws)))


async def sessions(url: str, n: int, stack: AsyncExitStack) -> None:
    """``n`` idle rtagents sessions (nobody reads them: a server's sessions before a call)."""
    agent = rtagents.Agent(name="idle")
    for _ in range(n):
        await stack.enter_async_context(rtagents.connect(agent, url=url))


def tracked_objects() -> int:
    return len(gc.get_objects())


async def per_session(
    url: str,
    open_n: Callable[[str, int, AsyncExitStack], Awaitable[None]],
    measure: Callable[[], int] = tracked_objects,
) -> float:
    """What each of ``SESSIONS`` open idle sessions keeps, by ``measure`` (taken after a
    collection, before the sessions open and while they idle)."""
    async with AsyncExitStack() as warm:  # imports and caches are not a session's
        await open_n(url, 1, warm)
    await asyncio.sleep(0.1)
    gc.collect()
    before = measure()
    async with AsyncExitStack() as stack:
        await open_n(url, SESSIONS, stack)
        await asyncio.sleep(0.3)  # late frames, keepalives: the sessions as they idle
        gc.collect()
        after = measure()
    return (after - before) / SESSIONS


@pytest.mark.timeout(120)
async def test_an_idle_session_keeps_at_most_one_and_a_half_bare_websockets_objects() -> None:
    async with emulator() as url:
        websocket = await per_session(url, bare)
        session = await per_session(url, sessions)
    ratio = session / websocket
    print(f"GC-tracked objects per idle session: {session:.1f}, bare {websocket:.1f}: {ratio:.2f}x")
    assert ratio <= TARGET + MARGIN, f"{session:.1f} objects per session, {ratio:.2f}x bare"
