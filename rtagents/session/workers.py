"""A session's worker threads for sync tools: a bounded pool of its own.

Sync tool code runs in a worker thread so that the event loop never waits on it. Each session
has its own pool (``connect(..., sync_tool_threads=)``), so that one session's blocked tools
cannot starve another's. A thread is the pool's from the moment it takes a call until the
tool's code returns, even after the call was given up (a timeout, a barge-in): Python cannot
stop a thread, so counting it is what keeps the threads bounded. A call that finds every
thread busy waits for one, at most its timeout, and is then answered with ``NoWorkerFree``;
its code never runs. A call given up while its code runs is answered at once; its code runs
on, and its result, when it comes, goes to the caller's ``on_late`` (``tool.call.abandoned``).

The threads themselves are shared by the process and persistent (``_Threads``): a call is one
hop there and one back, the only time a thread wakes the event loop. A pool builds nothing
until a sync tool first runs in it, so a session without sync tools pays nothing for it. The
threads are not anyio's: ``anyio.from_thread`` needs an explicit ``token=`` in them.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import os
import queue
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import anyio

T = TypeVar("T")

DEFAULT_SYNC_TOOL_THREADS = 8
IDLE_SECONDS = 10.0
"""How long a shared thread with nothing to do waits for a call before it ends."""


class NoWorkerFree(Exception):
    """Every thread of the session's pool stayed busy for as long as the call could wait."""


class WorkerPool:
    """At most ``size`` threads running one session's sync tool code at a time."""

    __slots__ = ("_free", "_fresh", "size")

    def __init__(self, size: int = DEFAULT_SYNC_TOOL_THREADS) -> None:
        if size < 1:
            raise ValueError(f"sync_tool_threads must be at least 1, got {size}")
        self.size = size
        self._free: anyio.Semaphore | None = None  # built when a sync tool first runs
        self._fresh: list[_Job[Any]] | None = None  # handed to threads since the last ask

    def returning(self) -> asyncio.Future[None] | None:
        """A future set once the calls handed to threads since the last ask have all come
        back from them (or were given up): set in the same loop pass as the last result
        reaches its call, so that its awaiter runs right after that call's task. ``None``
        when none is still out. (The reader waits on it: see ``reader.THREADS_FIRST_S``.)"""
        fresh, self._fresh = self._fresh, None
        out = [job for job in fresh or () if not job.future.done()]
        if not out:
            return None
        countdown = _Countdown(len(out), out[0].loop.create_future())
        for job in out:
            job.then = countdown.one
        return countdown.waiter

    def forget_handed(self) -> None:
        """Ask for nothing about the calls handed over since the last ask."""
        self._fresh = None

    @property
    def busy(self) -> int:
        """Threads taken: running tool code, including code whose call was given up."""
        return 0 if self._free is None else self.size - self._free.value

    async def run(
        self,
        fn: Callable[[], T],
        *,
        wait: float,
        on_start: Callable[[], None] | None = None,
        on_late: Callable[[T], None] | None = None,
    ) -> T:
        """``fn()`` in one of the pool's threads, waiting at most ``wait`` seconds for one
        to be free (``NoWorkerFree`` otherwise). ``on_start`` is called on the loop once a
        thread is the call's (its clock starts there). A cancellation gives the call up at
        once: code that had not started never does, and code that did keeps its thread until
        it returns; its result then goes to ``on_late``, on the loop."""
        free = self._free
        if free is None:
            free = self._free = anyio.Semaphore(self.size)
        try:
            free.acquire_nowait()  # the usual case, without a timer
        except anyio.WouldBlock:
            await self._wait_for_thread(free, wait)
        # Once a thread is taken, the call's own deadline rules (see ``dispatch``).
        if on_start is not None:
            try:
                on_start()
            except BaseException:
                free.release()  # the thread taken goes back: the code never runs
                raise
        job = _Job(fn, free, on_late)
        if self._fresh is None:
            self._fresh = [job]
        else:
            self._fresh.append(job)
        return await job.run()

    async def _wait_for_thread(self, free: anyio.Semaphore, wait: float) -> None:
        with anyio.move_on_after(wait) as waiting:
            await free.acquire()
        if waiting.cancelled_caught:
            raise NoWorkerFree(
                f"no worker thread became free within {wait:g} s: all {self.size} of this "
                "session's threads for sync tools are busy (with calls that did not return yet)"
            )


_QUEUED, _RUNNING, _ABANDONED, _RETURNED, _GIVEN_UP = range(5)


class _Job(Generic[T]):
    """One call's code on its way to a shared thread and its result on the way back.

    The thread gives the result to the loop with one ``call_soon_threadsafe``: ``_done``
    when the call still waits for it, ``_late`` when the call was given up while the code
    ran. The pool's thread is given back on the loop, by whichever side learns last that
    the code will not run or has returned."""

    __slots__ = ("context", "fn", "free", "future", "lock", "loop", "on_late", "state", "then")

    def __init__(
        self, fn: Callable[[], T], free: anyio.Semaphore, on_late: Callable[[T], None] | None
    ) -> None:
        self.fn = fn
        self.context = contextvars.copy_context()  # as anyio.to_thread did: spans, deps
        self.free = free
        self.on_late = on_late
        self.loop = asyncio.get_running_loop()
        self.future: asyncio.Future[T] = self.loop.create_future()
        self.lock = threading.Lock()
        self.state = _QUEUED
        self.then: Callable[[], None] | None = None  # once back (see ``WorkerPool.returning``)

    async def run(self) -> T:
        try:
            _THREADS.submit(self)  # may fail to start a thread: the pool's is given back
            return await self.future
        except BaseException:  # the code raised, or the call was given up (a cancellation)
            future = self.future
            if future.cancelled() or not future.done():
                self._give_up()
            elif future.exception() is None and self.on_late is not None:
                self.on_late(future.result())  # given up as its result came: late all the same
            raise

    def _give_up(self) -> None:
        with self.lock:
            state = self.state
            if state == _QUEUED:
                self.state = _GIVEN_UP  # the thread will skip it: its code never runs
            elif state == _RUNNING:
                self.state = _ABANDONED  # it gives its thread back itself, in ``_late``
        if state == _QUEUED:
            self.free.release()
        # _RETURNED: ``_done`` is on its way, finds the future cancelled and reports late.
        self._back()

    def __call__(self) -> None:
        """In the thread."""
        with self.lock:
            if self.state == _GIVEN_UP:
                return
            self.state = _RUNNING
        result: Any = None
        error: BaseException | None = None
        try:
            result = self.context.run(self.fn)
        except StopIteration as exc:  # a future cannot hold one
            error = RuntimeError(f"the tool's code raised StopIteration: {exc!r}")
        except BaseException as exc:
            error = exc
        with self.lock:
            abandoned = self.state == _ABANDONED
            self.state = _RETURNED
        # One wake of the loop a call. A closed loop raises: nothing to free, no one to tell.
        with contextlib.suppress(RuntimeError):
            # In the call's context, as the code ran: what a late result tells, its handlers
            # read (``current_call()``), never the thread's empty one.
            back = self._late if abandoned else self._done
            self.loop.call_soon_threadsafe(back, result, error, context=self.context)

    def _done(self, result: T, error: BaseException | None) -> None:
        self.free.release()
        future = self.future
        if future.cancelled():  # given up after the code returned, before this ran
            self._late(result, error, release=False)
        elif error is None:
            future.set_result(result)
        else:
            future.set_exception(error)
        self._back()

    def _back(self) -> None:
        then, self.then = self.then, None
        if then is not None:
            then()

    def _late(self, result: T, error: BaseException | None, release: bool = True) -> None:
        if release:
            self.free.release()
        if error is None and self.on_late is not None:
            self.on_late(result)


class _Countdown:
    """Sets ``waiter`` once ``one`` has been called ``left`` times."""

    __slots__ = ("left", "waiter")

    def __init__(self, left: int, waiter: asyncio.Future[None]) -> None:
        self.left, self.waiter = left, waiter

    def one(self) -> None:
        self.left -= 1
        if not self.left and not self.waiter.done():  # (its awaiter may be gone)
            self.waiter.set_result(None)


class _Threads:
    """The process's threads for sync tool code: one per call in flight, made when none is
    idle, each ending after ``IDLE_SECONDS`` without a call. Their number is bounded by the
    sessions' pools (a thread runs only a call its pool counts). Daemon threads: tool code
    that never returns does not hold up the interpreter's exit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: list[queue.SimpleQueue[_Job[Any]]] = []

    def submit(self, job: _Job[Any]) -> None:
        with self._lock:
            inbox = self._idle.pop() if self._idle else None
        if inbox is None:
            inbox = queue.SimpleQueue()
            threading.Thread(
                target=self._serve, args=(inbox,), name="rtagents-sync-tool", daemon=True
            ).start()
        inbox.put(job)

    def _serve(self, inbox: queue.SimpleQueue[_Job[Any]]) -> None:
        while True:
            try:
                job = inbox.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    if inbox in self._idle:  # nobody took it meanwhile: end
                        self._idle.remove(inbox)
                        return
                continue  # taken just now: its job is on the way
            job()
            del job
            with self._lock:
                self._idle.append(inbox)

    def _forked(self) -> None:
        self._lock = threading.Lock()
        self._idle = []  # the parent's threads do not exist in a child


_THREADS = _Threads()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_THREADS._forked)
