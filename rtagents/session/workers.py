"""A session's worker threads for sync tools: a bounded pool of its own.

Sync tool code runs in a worker thread so that the event loop never waits on it. Each session
has its own pool (``connect(..., sync_tool_threads=)``), so that one session's blocked tools
cannot starve another's. A thread is the pool's from the moment it takes a call until the
tool's code returns, even after the call was given up (a timeout, a barge-in): Python cannot
stop a thread, so counting it is what keeps the threads bounded. A call that finds every
thread busy waits for one, at most its timeout, and is then answered with ``NoWorkerFree``;
its code never runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import anyio.to_thread

T = TypeVar("T")

DEFAULT_SYNC_TOOL_THREADS = 8


class NoWorkerFree(Exception):
    """Every thread of the session's pool stayed busy for as long as the call could wait."""


class WorkerPool:
    """At most ``size`` threads running one session's sync tool code at a time."""

    def __init__(self, size: int = DEFAULT_SYNC_TOOL_THREADS) -> None:
        if size < 1:
            raise ValueError(f"sync_tool_threads must be at least 1, got {size}")
        self.size = size
        self._free = anyio.Semaphore(size)
        # anyio's own limit, the same size, instead of the process-wide default that every
        # session would share. It lets go of a thread it gave up on; ``_free`` does not.
        self._threads = anyio.CapacityLimiter(size)

    @property
    def busy(self) -> int:
        """Threads taken: running tool code, including code whose call was given up."""
        return self.size - self._free.value

    async def run(self, fn: Callable[[], T], *, wait: float) -> T:
        """``fn()`` in one of the pool's threads, waiting at most ``wait`` seconds for one
        to be free (``NoWorkerFree`` otherwise). A cancellation gives the call up at once:
        code that had not started never does, and code that did keeps its thread until it
        returns."""
        try:
            self._free.acquire_nowait()  # the usual case, without a timer
        except anyio.WouldBlock:
            await self._wait_for_thread(wait)
        # Once a thread is taken, the call's own deadline rules (see ``dispatch``).
        return await self._run_taken(fn)

    async def _wait_for_thread(self, wait: float) -> None:
        with anyio.move_on_after(wait) as waiting:
            await self._free.acquire()
        if waiting.cancelled_caught:
            raise NoWorkerFree(
                f"no worker thread became free within {wait:g} s: all {self.size} of this "
                "session's threads for sync tools are busy (with calls that did not return yet)"
            )

    async def _run_taken(self, fn: Callable[[], T]) -> T:
        # The thread is given back here, on the loop, once the code returned; only code the
        # call gave up on while it ran gives its thread back itself, when it returns (a wake
        # of the loop from the thread on every call would cost the round trip).
        loop = asyncio.get_running_loop()
        lock = threading.Lock()
        state = {"started": False, "given_up": False, "returned": False, "abandoned": False}

        def job() -> Any:
            with lock:
                if state["given_up"]:
                    return None  # answered already: its code must not run late
                state["started"] = True
            try:
                return fn()
            finally:
                with lock:
                    state["returned"] = True
                    abandoned = state["abandoned"]
                if abandoned:
                    with contextlib.suppress(RuntimeError):  # the loop is gone: nothing to free
                        loop.call_soon_threadsafe(self._free.release)

        try:
            result: T = await anyio.to_thread.run_sync(
                job, abandon_on_cancel=True, limiter=self._threads
            )
        except BaseException:
            with lock:
                if not state["started"]:
                    state["given_up"] = True  # the job will never run: its thread is free
                elif not state["returned"]:
                    state["abandoned"] = True  # still running: it frees its thread itself
                    raise
            self._free.release()
            raise
        self._free.release()
        return result
