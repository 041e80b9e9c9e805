"""Where a session's background tasks run, and how they end.

Every task of the session's (the reader, event handlers, a handover, a call's output given
up at its deadline) is a plain asyncio task the session keeps, each of the spawned ones in
an anyio cancel scope of its own: the session's end cancels these, and ``connect`` waits
for them (``join``) before it returns, as a task group's exit would. No task group: an anyio
group, and each task it starts, costs a handle, cancel scopes and an event that the
collector scans for as long as the session lives (thousands of sessions in one process).
What escapes a task is reported, never raised: it would end the session as an exception
group in the app's face.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from typing import Any, Protocol

import anyio

from ..errors import SessionClosedError

log = logging.getLogger("rtagents.session")

TaskFn = Callable[..., Awaitable[Any]]

LAST_WORDS_S = 2.0
"""How long an async event handler of the session's end (``session.closed``, the calls it
answered as it ended) may run; ``connect`` waits for it before it returns."""


JOIN_S = LAST_WORDS_S + 1.0
"""How long ``connect`` waits, once the session has ended, for its tasks to end (they are
cancelled; the end's handlers have ``LAST_WORDS_S``): what still runs past it is left."""

_LEFT: set[asyncio.Task[Any]] = set()
"""Tasks left behind (see ``join``), kept referenced until they end: asyncio keeps only a
weak reference to a task, and one collected while it runs is destroyed mid-await."""


def _left_behind(tasks: list[asyncio.Task[Any]]) -> None:
    names = ", ".join(sorted({getattr(t.get_coro(), "__qualname__", t.get_name()) for t in tasks}))
    log.warning(
        "%d session task(s) still ran %g s after the session ended, ignoring their "
        "cancellation: left behind (%s)",
        len(tasks),
        JOIN_S,
        names,
    )
    for task in tasks:
        _LEFT.add(task)
        task.add_done_callback(_LEFT.discard)


async def after(
    delay_s: float, execute: Callable[[Any], Awaitable[Any]], decide: Callable[..., Any], *args: Any
) -> None:
    """Carry out what ``decide(*args)`` decides ``delay_s`` seconds from now: the clock of a
    sans-I/O core (``actions.StartTimer``), which never sleeps itself."""
    await anyio.sleep(delay_s)
    await execute(decide(*args))


class TaskOwner(Protocol):
    """What the session's tasks report to (the runner, kept once: no bound methods)."""

    def task_failed(self, name: str, exc: Exception) -> None:
        """A task's exception."""

    async def task_fatal(self, exc: BaseException) -> None:
        """A ``SystemExit`` or ``KeyboardInterrupt`` from app code: the session must end."""

    def keep_fatal(self, exc: BaseException) -> None:
        """Keep ``exc`` for ``connect`` to raise once the session is over."""


class SessionTasks:
    """``owner.task_failed(name, exc)`` hears of a task's exception; ``owner.task_fatal(exc)``
    of a ``SystemExit`` or ``KeyboardInterrupt`` from app code, which must end the session.

    The reader (``read``) runs as it is: it reports its own failures and ends the session
    itself. The session's end (``end``) cancels it and every spawned task; ``join`` waits
    for them all.
    """

    # Made when first needed, dropped when empty again (most idle sessions run none), and
    # class attributes until then (performance.md, "Density").
    _running: set[asyncio.Task[None]] | None = None
    _scopes: set[anyio.CancelScope] | None = None
    _reader: asyncio.Task[None] | None = None
    open = False

    def __init__(self, owner: TaskOwner) -> None:
        self._owner = owner
        # The context of ``connect``, where the app set what its code reads (the call a
        # CallServer runs it in, the current span): what comes to the session from outside
        # its own tasks runs in it (``adopt``), never in that of whoever handed it over (a
        # local MCP server shared with other sessions, started in the first one's context).
        self._context = contextvars.copy_context()

    def start(self) -> None:
        """From here, tasks may be spawned."""
        self.open = True

    def read(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run the session's reader, ``coro``, until it ends or the session does."""
        self._reader = asyncio.get_running_loop().create_task(coro)

    def spawn(self, fn: TaskFn, *args: Any) -> None:
        """Run ``fn(*args)`` as a task of the session's, from anywhere on its loop: a task,
        or a loop callback (a call's deadline, a worker thread's late result)."""
        if not self.open:
            return
        task = asyncio.get_running_loop().create_task(self._guard(fn, *args))
        if self._running is None:
            self._running = set()
        self._running.add(task)
        task.add_done_callback(self._finished)

    def adopt(self, fn: TaskFn, *args: Any) -> None:
        """``spawn``, for work handed to the session from outside its own tasks: it runs in
        the session's context, not in the caller's (where another call's may be current)."""
        self._context.copy().run(self.spawn, fn, *args)

    def handler(self, fn: TaskFn, *args: Any) -> None:
        """Run an async event handler (``fn(*args)``): a task of the session's while it is
        open. Once it has ended, the events it tells as it ends are the app's last word from
        it: their handlers run all the same, for at most ``LAST_WORDS_S``, in tasks that the
        end does not cancel and ``join`` waits for."""
        if self.open:
            self.spawn(fn, *args)
            return
        task = asyncio.get_running_loop().create_task(self._last_words(fn, *args))
        if self._running is None:
            self._running = set()
        self._running.add(task)
        task.add_done_callback(self._finished)

    async def _last_words(self, fn: TaskFn, *args: Any) -> None:
        with anyio.move_on_after(LAST_WORDS_S) as scope:
            try:
                await fn(*args)
            except anyio.get_cancelled_exc_class():
                raise
            except BaseException as exc:  # SystemExit, KeyboardInterrupt: connect raises it
                self._owner.keep_fatal(exc)
        if scope.cancelled_caught:
            name = getattr(fn, "__qualname__", repr(fn))
            log.warning(
                "an event handler still ran %g s after the session ended: %s", LAST_WORDS_S, name
            )

    def fatal(self, exc: BaseException) -> None:
        """App code raised ``exc`` (``SystemExit``, ``KeyboardInterrupt``) where it cannot be
        raised (a sync handler, told from any task or loop callback): ``connect`` raises it,
        and the session ends from a task of its own (unless it is ending already)."""
        self._owner.keep_fatal(exc)
        self.spawn(self._owner.task_fatal, exc)

    def _finished(self, task: asyncio.Task[None]) -> None:
        running = self._running
        if running is not None:
            running.discard(task)
            if not running:
                self._running = None

    def listening(self) -> bool:
        """Whether the reader still reads, in a task other than this one (a frame after the
        end may still come: GPT-Live's final usage, see ``Upstream.close``)."""
        reader = self._reader
        return reader is not None and not reader.done() and reader is not asyncio.current_task()

    def end(self) -> None:
        """The session ended: no new task, and every running one cancelled."""
        self.open = False
        for scope in list(self._scopes or ()):
            scope.cancel()
        reader = self._reader
        if reader is not None and reader is not asyncio.current_task():
            reader.cancel()  # (a reader that ends the session returns by itself)

    async def join(self) -> None:
        """Wait for the reader and every spawned task to end (after ``end``), for at most
        ``JOIN_S``: app code that ignores its cancellation (a handler that swallows it) is
        left behind, said in the log, never waited for by ``connect``."""
        loop = asyncio.get_running_loop()
        until = loop.time() + JOIN_S
        while True:
            pending = [
                task
                for task in (self._reader, *(self._running or ()))
                if task is not None and not task.done() and task is not asyncio.current_task()
            ]
            if not pending:
                break
            if loop.time() >= until:
                _left_behind(pending)
                break
            await asyncio.wait(pending, timeout=until - loop.time())
        reader, self._reader = self._reader, None
        if reader is not None and reader.done() and not reader.cancelled():
            exc = reader.exception()
            if exc is not None:  # it reports its own failures: this is a BaseException
                log.error("the session's reader ended with %r", exc)

    @contextlib.contextmanager
    def owned(self) -> Iterator[None]:
        """A cancel scope that the session's end cancels."""
        scope = anyio.CancelScope()
        if self._scopes is None:
            self._scopes = set()
        scopes = self._scopes
        scopes.add(scope)
        try:
            with scope:
                yield
        finally:
            scopes.discard(scope)
            if not scopes and self._scopes is scopes:
                self._scopes = None

    async def _guard(self, fn: TaskFn, *args: Any) -> None:
        try:
            with self.owned():
                await fn(*args)
        except SessionClosedError:
            pass  # the session ended under the task; there is nothing left to tell
        except Exception as exc:
            name = getattr(fn, "__name__", repr(fn))
            log.exception("a session task (%s) failed", name)
            self._owner.task_failed(name, exc)
        except anyio.get_cancelled_exc_class():
            raise
        except BaseException as exc:
            # SystemExit or KeyboardInterrupt from app code (an async handler): asyncio would
            # throw it through the event loop. The session closes; connect() raises it on exit.
            await self._owner.task_fatal(exc)
