"""How the session runs one call's code: given to ``BaseTool.invoke`` beside the context.

``ToolContext`` is the tool author's: what a tool may use. This is the call pipeline's: where
a sync tool's code gets a thread (in a session, its bounded pool, which also starts the call's
clock and hears a result that comes after the call was given up), and what that thread makes of
the result before handing it back. Tool authors never see it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import anyio.to_thread


async def _any_worker_thread(fn: Callable[[], Any]) -> Any:
    return await anyio.to_thread.run_sync(fn, abandon_on_cancel=True)


@dataclass(frozen=True, slots=True)
class Invocation:
    """One call's way of running tool code."""

    run_in_thread: Callable[[Callable[[], Any]], Awaitable[Any]] = _any_worker_thread
    """Runs a sync tool's code in a worker thread (in a session: its own bounded pool)."""
    finish: Callable[[Any], Any] | None = None
    """What the worker thread makes of a sync tool's result (in a session: the output the
    model reads, so that a large one is serialised and measured off the event loop); ``None``
    hands the result back as it is. Never given an awaitable: that is awaited on the loop."""
    output_limit: int | None = None
    """The most bytes the output may be (in a session, the agent's ``max_tool_output_bytes``):
    a lazy result (a generator, a cursor) is drawn only so far as its output could fit."""


STANDALONE = Invocation()
"""Outside a session: anyio's shared worker threads."""
