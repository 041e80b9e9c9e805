"""Where a session's background tasks run, and how they end.

Every task of the session's (the reader, event handlers, a handover, a call's output given
up at its deadline) runs in the session's task group, each in a cancel scope of its own:
the session's end cancels these, never the group, whose scope also holds the app's
``async with`` body. What escapes a task is reported, never raised into the group, where
it would end the session as an exception group.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import anyio
from anyio.abc import TaskGroup

from ..errors import SessionClosedError

log = logging.getLogger("rtagents.session")

TaskFn = Callable[..., Awaitable[Any]]


async def after(
    delay_s: float, execute: Callable[[Any], Awaitable[Any]], decide: Callable[..., Any], *args: Any
) -> None:
    """Carry out what ``decide(*args)`` decides ``delay_s`` seconds from now: the clock of a
    sans-I/O core (``actions.StartTimer``), which never sleeps itself."""
    await anyio.sleep(delay_s)
    await execute(decide(*args))


class SessionTasks:
    """``failed(name, exc)`` hears of a task's exception; ``fatal(exc)`` of a
    ``SystemExit`` or ``KeyboardInterrupt`` from app code, which must end the session."""

    def __init__(
        self,
        failed: Callable[[str, Exception], None],
        fatal: Callable[[BaseException], Awaitable[None]],
    ) -> None:
        self._failed = failed
        self._fatal = fatal
        self._tg: TaskGroup | None = None
        self._scopes: set[anyio.CancelScope] = set()
        self._bridges: set[asyncio.Task[None]] = set()
        self.open = False

    def start(self, tg: TaskGroup) -> None:
        self._tg, self.open = tg, True

    def spawn(self, fn: TaskFn, *args: Any) -> None:
        """Run ``fn(*args)`` as a task of the session's, from anywhere on its loop: a task,
        or a loop callback (a call's deadline, a worker thread's late result), from which
        the task group cannot be reached directly."""
        if self._tg is None or not self.open:
            return
        if asyncio.current_task() is None:
            bridge = asyncio.get_running_loop().create_task(self._spawn_in_task(fn, *args))
            self._bridges.add(bridge)
            bridge.add_done_callback(self._bridges.discard)
            return
        self._tg.start_soon(self._guard, fn, *args)

    async def _spawn_in_task(self, fn: TaskFn, *args: Any) -> None:
        self.spawn(fn, *args)

    def end(self) -> None:
        """The session ended: no new task, and every running one cancelled."""
        self.open = False
        for scope in list(self._scopes):
            scope.cancel()

    @contextlib.contextmanager
    def owned(self) -> Iterator[None]:
        """A cancel scope that the session's end cancels."""
        scope = anyio.CancelScope()
        self._scopes.add(scope)
        try:
            with scope:
                yield
        finally:
            self._scopes.discard(scope)

    async def _guard(self, fn: TaskFn, *args: Any) -> None:
        try:
            with self.owned():
                await fn(*args)
        except SessionClosedError:
            pass  # the session ended under the task; there is nothing left to tell
        except Exception as exc:
            name = getattr(fn, "__name__", repr(fn))
            log.exception("a session task (%s) failed", name)
            self._failed(name, exc)
        except anyio.get_cancelled_exc_class():
            raise
        except BaseException as exc:
            # SystemExit or KeyboardInterrupt from app code (a handler): asyncio would throw
            # it through the event loop. The session closes; connect() raises it on exit.
            await self._fatal(exc)
