"""Running a tool's own code: when its clock starts, and what it may raise.

A tool is user code, so it may block a worker thread, raise ``SystemExit`` or swallow
cancellation. The code runs in its call's own task (see ``dispatch``), which the session
answers from outside at the deadline or on barge-in, without waiting for the code to stop.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import Any

from ..errors import root_cause
from ..tools import BaseTool, ToolContext
from ..tools.base import MadeOutput
from ..tools.failures import ToolCrashed, ToolOutputTooLarge
from ..tools.invocation import STANDALONE, Invocation
from .workers import WorkerPool


async def invoke(
    tool: BaseTool,
    parsed: Any,
    ctx: ToolContext,
    *,
    workers: WorkerPool,
    time_limit: float,
    start_clock: Callable[[], None],
    on_late: Callable[[Any], None],
    output_limit: int | None = None,
) -> Any:
    """Run ``tool``. ``start_clock`` is called when its code starts (for a thread tool, on the
    loop, when a thread of ``workers`` is free for it: waiting for one is bounded by
    ``time_limit`` on its own, and ends in ``NoWorkerFree``), ``on_late`` on the loop with a
    thread tool's result when it comes after the call was given up. With ``output_limit``,
    a thread tool's result is its output already (``BaseTool.output``, made in its thread),
    or ``ToolOutputTooLarge`` (raised; given to ``on_late``). Raises what the tool raised (a
    ``BaseException`` as ``ToolCrashed``)."""
    invocation = STANDALONE
    if tool.runs_in_thread:
        # The clock starts on the loop once a thread is the call's, and the thread wakes the
        # loop once, with the result (a late one goes to ``on_late``): one hop each way.

        async def run_in_thread(fn: Callable[[], Any]) -> Any:
            return await workers.run(fn, wait=time_limit, on_start=start_clock, on_late=on_late)

        finish = None if output_limit is None else _output_of(tool, output_limit)
        invocation = Invocation(run_in_thread, finish, output_limit)
    else:  # (an inline tool's own code cannot be stopped, but an awaitable it returns can)
        start_clock()
        if output_limit is not None:
            invocation = _limited(output_limit)
    try:
        result = await tool.invoke(parsed, ctx, invocation)
    except (Exception, asyncio.CancelledError):
        raise
    except BaseException as exc:  # KeyboardInterrupt in a task would stop the event loop
        raise ToolCrashed(root_cause(exc, None)) from exc
    if isinstance(result, ToolOutputTooLarge):
        raise result
    return result


@functools.lru_cache(maxsize=16)
def _limited(limit: int) -> Invocation:
    """The invocation of a tool on the loop, its output within ``limit`` (one a limit: the
    agents of a process share a few)."""
    return Invocation(output_limit=limit)


def _output_of(tool: BaseTool, limit: int) -> Callable[[Any], Any]:
    """What a thread tool's worker thread makes of its result: its output (so that a large
    result is serialised, or found too large, off the event loop)."""

    def finish(result: Any) -> Any:
        try:
            return MadeOutput(tool.output(result, limit))
        except ToolOutputTooLarge as exc:
            # Handed back, not raised: one that comes after its call was given up still
            # reaches ``on_late`` (``tool.call.abandoned``: its side effects happened).
            return exc

    return finish


Orphans = dict[asyncio.Task[Any], None]
"""Tool code given up on that still runs: a set, as a dict (an empty dict is not tracked by
the collector, an empty set is: one object more for every idle session)."""


def orphan(task: asyncio.Task[Any], orphans: Orphans) -> None:
    """Cancel a call's ``task`` and keep it among ``orphans`` until it has ended."""
    task.cancel()
    orphans[task] = None
    task.add_done_callback(functools.partial(_ended, orphans))


def _ended(orphans: Orphans, task: asyncio.Task[Any]) -> None:
    orphans.pop(task, None)


async def let_go(orphans: Orphans, grace: float) -> list[asyncio.Task[Any]]:
    """Give abandoned tool code ``grace`` seconds to stop; return what still runs."""
    if not orphans:
        return []
    _, pending = await asyncio.wait(set(orphans), timeout=grace)
    return list(pending)
