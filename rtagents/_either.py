"""Calling the app's function whether it is async or sync: the one place for approval
handlers, guardrails, a call's ``authorize``, ``on_delegation`` and ``on_dtmf``; and running
such code detached, so that its caller can stop waiting for it."""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeGuard

import anyio
import anyio.to_thread

_DETACHED: dict[asyncio.Task[Any], anyio.CancelScope] = {}  # held: the loop holds weakly


def detach(work: Awaitable[Any]) -> asyncio.Task[Any]:
    """``work`` (the app's code) in a task of its own, held until it ends: whoever awaits it
    may stop (``let_go``) and go on, and code that shields its work or ignores its
    cancellation holds up nothing but itself. What it raises is read at its end, so one left
    behind is never reported as an exception nobody retrieved."""
    scope = anyio.CancelScope()
    task = asyncio.ensure_future(_within(scope, work))
    _DETACHED[task] = scope
    task.add_done_callback(_ended)
    return task


async def _within(scope: anyio.CancelScope, work: Awaitable[Any]) -> Any:
    # Cancelled through an anyio scope, not ``Task.cancel``: what the code shields with
    # anyio's own scopes (an audit it must write) stays shielded.
    with scope:
        return await work
    return None  # (let go)


def _ended(task: asyncio.Task[Any]) -> None:
    _DETACHED.pop(task, None)
    if not task.cancelled():
        task.exception()


def let_go(task: asyncio.Task[Any], log: logging.Logger | None = None, said: str = "") -> None:
    """Stop waiting for the detached ``task``: it is cancelled, and left to end. With
    ``log``, an error it still ends with (work it shielded, say) is logged as ``said``:
    nobody is left to hear it otherwise."""
    scope = _DETACHED.get(task)
    if scope is not None:
        scope.cancel()
    if log is not None:
        task.add_done_callback(functools.partial(_late, log, said))


def _late(log: logging.Logger, said: str, task: asyncio.Task[Any]) -> None:
    exc = None if task.cancelled() else task.exception()
    if isinstance(exc, Exception):
        log.error(said, exc_info=exc)


@dataclass(frozen=True)
class Answer:
    """What the app's code run by ``answer_within`` came to: its ``value``; or the
    ``error`` it raised (an ``Exception``, or a ``CancelledError`` of its own: a future it
    awaited was cancelled by its owner); or ``late``, no answer in time (let go: whatever it
    says after counts for nothing)."""

    value: Any = None
    error: BaseException | None = None
    late: bool = False

    def given(self, what: str) -> Any:
        """Its value, or what it raised raised again (a ``CancelledError`` of its own as a
        ``RuntimeError`` naming ``what``: raised as it is, its caller would look cancelled)."""
        if isinstance(self.error, Exception):
            raise self.error
        if self.error is not None:
            raise RuntimeError(f"{what} was cancelled (a CancelledError of its own)")
        return self.value


async def answer_within(work: Awaitable[Any], seconds: float) -> Answer:
    """``work`` (the app's code: a check, a router) detached, waited for ``seconds`` at
    most. A ``fail_after`` around it would take a late answer: code that shields its lookup
    or swallows the cancellation returns after the deadline with no ``TimeoutError``. Its
    ``SystemExit`` or ``KeyboardInterrupt`` is raised here, in the caller's task (raised in
    a task of its own, asyncio would stop the loop with it)."""
    task = detach(_exit_kept(work))
    try:
        await asyncio.wait((task,), timeout=seconds)
    except BaseException:  # its caller's end: the work goes too
        let_go(task)
        raise
    if not task.done():
        let_go(task)
        return Answer(late=True)
    if task.cancelled():
        return Answer(error=asyncio.CancelledError())
    exc = task.exception()
    if exc is not None:
        return Answer(error=exc)
    result = task.result()
    if isinstance(result, _Exit):
        raise result.exc
    return Answer(result)


@dataclass(frozen=True)
class _Exit:
    exc: BaseException


async def _exit_kept(work: Awaitable[Any]) -> Any:
    try:
        return await work
    except (SystemExit, KeyboardInterrupt) as exc:  # the app's exit, for its caller to raise
        return _Exit(exc)


def is_async(fn: Callable[..., Any]) -> TypeGuard[Callable[..., Awaitable[Any]]]:
    """An ``async def`` function, or an object (not a class: calling one makes an instance)
    whose ``__call__`` is one."""
    return inspect.iscoroutinefunction(fn) or (
        not isinstance(fn, type) and inspect.iscoroutinefunction(getattr(fn, "__call__", None))  # noqa: B004
    )


def being_cancelled() -> bool:
    """Whether the current task is being cancelled (by its owner: a scope, the session's
    end), as against a ``CancelledError`` the app's code raised of its own (a future it
    awaited was cancelled elsewhere). Before Python 3.11 this cannot be told: True."""
    task = asyncio.current_task()
    cancelling = getattr(task, "cancelling", None)
    return cancelling is None or bool(cancelling())


class NoThread(RuntimeError):
    """Every thread of a ``Threads`` is still running the app's code."""


class Threads:
    """Worker threads of their own for app code that may hang on the network (a call's
    router, an ``authorize``): at most ``size`` at once, each counted until its code
    returns, also once its caller gave up on it. So a lookup that hangs, asked again and
    again (anyone can post to a route), neither piles up threads without bound nor takes
    the threads the rest of the app shares (anyio's, which Starlette's sync endpoints and
    static files use): past ``size``, ``NoThread`` at once."""

    def __init__(self, size: int, what: str) -> None:
        self.size, self.what = size, what
        self._limiter = anyio.CapacityLimiter(size)
        self._running = 0  # reserved before the wait for a thread: a burst cannot pass size
        self._lock = threading.Lock()

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)`` in one of the threads; ``NoThread`` when all are taken."""
        with self._lock:
            if self._running >= self.size:
                raise NoThread(f"{self.size} {self.what} still run (stuck?): no thread")
            self._running += 1
        run = _Run()

        def counted() -> Any:
            with self._lock:
                if run.abandoned:  # given up on before it began: its slot went back then
                    return None
                run.began = True
            try:
                return fn(*args)
            finally:
                with self._lock:
                    self._running -= 1

        try:
            return await anyio.to_thread.run_sync(
                counted, limiter=self._limiter, abandon_on_cancel=True
            )
        except BaseException:
            with self._lock:
                if not run.began:
                    run.abandoned = True
                    self._running -= 1
            raise


class _Run:
    __slots__ = ("abandoned", "began")

    def __init__(self) -> None:
        self.began = self.abandoned = False


async def call_either(
    fn: Callable[..., Any],
    *args: Any,
    limiter: anyio.CapacityLimiter | None = None,
    threads: Threads | None = None,
) -> Any:
    """What ``fn(*args)`` answers. An async ``fn`` is awaited here; a sync one runs in a
    worker thread (of ``threads``, or of ``limiter``'s, else anyio's shared ones), so that a
    slow one blocks neither the event loop nor the caller's timeout, and an awaitable it
    returns is awaited.

    A cancelled call abandons the thread: its ``limiter`` slot is free at once, but the
    thread runs on until ``fn`` returns (Python cannot stop it; ``threads`` counts it).
    """
    if is_async(fn):
        return await fn(*args)
    if threads is not None:
        answer = await threads.run(fn, *args)
    else:
        answer = await anyio.to_thread.run_sync(fn, *args, limiter=limiter, abandon_on_cancel=True)
    return await answer if inspect.isawaitable(answer) else answer
