"""Running a tool's own code: its clock, what it raises, and letting go of it at the deadline.

A tool is user code, so it may block a worker thread, raise ``SystemExit`` or swallow
cancellation. The call is answered at its deadline (or barge-in) without waiting for the
code to stop; code still running then is abandoned, and a result it produces afterwards is
handed to ``on_late`` instead of being lost.
"""

from __future__ import annotations

import asyncio
import math
import sys
from collections.abc import Callable, Coroutine
from typing import Any

import anyio

from ..tools import BaseTool, ToolContext
from ..tools.failures import ToolCrashed

LateResult = Callable[[Any], None]


async def invoke(
    tool: BaseTool,
    parsed: Any,
    ctx: ToolContext,
    *,
    scope: anyio.CancelScope,
    time_limit: float,
    orphans: set[asyncio.Task[Any]],
    on_late: LateResult,
) -> Any:
    """Run ``tool`` inside ``scope`` (which the caller cancels on barge-in or close), with
    ``time_limit`` counted from when the code starts: for a thread tool, when a worker picks it
    up. Raises what the tool raised (a ``BaseException`` as ``ToolCrashed``).

    A tool's coroutine runs in a task of its own, so that a deadline or a barge-in answers
    the call even when the code ignores its cancellation; a tool that cannot (``obeys_
    cancellation``: a sync function) is awaited in place, which saves that task's hops."""
    loop = asyncio.get_running_loop()
    state = {"running": True, "abandoned": False}

    def start_clock() -> None:
        if state["running"]:
            scope.deadline = loop.time() + time_limit  # anyio's clock on asyncio

    def late(result: Any) -> None:
        if state["abandoned"]:
            on_late(result)

    if tool.runs_in_thread:

        def on_start() -> None:
            loop.call_soon_threadsafe(start_clock)

        def on_result(result: Any) -> None:
            loop.call_soon_threadsafe(late, result)

        ctx.on_start, ctx.on_result = on_start, on_result
    else:
        start_clock()
    if tool.obeys_cancellation:  # nothing in it can swallow a cancellation: await in place
        try:
            return await _contained(tool.call(parsed, ctx))
        except asyncio.CancelledError:
            state["abandoned"] = True  # a thread's result, if it comes, is late
            raise
        finally:
            state["running"] = False
            scope.deadline = math.inf
    task = _start(loop, _contained(tool.call(parsed, ctx)))
    if task.done():  # it ran to the end in its first step: no hop through the loop
        state["running"] = False
        scope.deadline = math.inf
        return task.result()
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        state["abandoned"] = True
        task.cancel()
        if not task.done():
            orphans.add(task)
            task.add_done_callback(lambda t: _settle(t, orphans, late))
        raise
    finally:
        state["running"] = False
        scope.deadline = math.inf


def _start(loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
    """The tool's task, started eagerly where Python can (3.12+): a tool that needs no I/O
    then finishes before this returns, and its call skips two trips through the loop."""
    if _EAGER:
        return asyncio.Task(coro, loop=loop, eager_start=True)  # type: ignore[call-arg,unused-ignore]
    return loop.create_task(coro)


_EAGER = sys.version_info >= (3, 12)


def _settle(task: asyncio.Task[Any], orphans: set[asyncio.Task[Any]], late: LateResult) -> None:
    orphans.discard(task)
    if not task.cancelled() and task.exception() is None:
        late(task.result())  # an async tool that ignored its cancellation and finished


async def _contained(coro: Coroutine[Any, Any, Any]) -> Any:
    try:
        return await coro
    except (Exception, asyncio.CancelledError):
        raise
    except BaseException as exc:  # KeyboardInterrupt in a task would stop the event loop
        raise ToolCrashed(f"{type(exc).__name__}: {exc}") from exc


async def let_go(orphans: set[asyncio.Task[Any]], grace: float) -> list[asyncio.Task[Any]]:
    """Give abandoned tool code ``grace`` seconds to stop; return what still runs."""
    if not orphans:
        return []
    _, pending = await asyncio.wait(set(orphans), timeout=grace)
    return list(pending)
