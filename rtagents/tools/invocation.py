"""How the session runs one call's code: given to ``BaseTool.invoke`` beside the context.

``ToolContext`` is the tool author's: what a tool may use. This is the call pipeline's: where
a sync tool's code gets a thread, and what the session must hear from that thread (the code
started, so the call's clock starts; its result, which counts even after the call was given
up). Tool authors never see it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import anyio.to_thread


def _nothing(*_: Any) -> None:
    return None


async def _any_worker_thread(fn: Callable[[], Any]) -> Any:
    return await anyio.to_thread.run_sync(fn, abandon_on_cancel=True)


@dataclass(frozen=True, slots=True)
class Invocation:
    """One call's way of running tool code."""

    run_in_thread: Callable[[Callable[[], Any]], Awaitable[Any]] = _any_worker_thread
    """Runs a sync tool's code in a worker thread (in a session: its own bounded pool)."""
    on_start: Callable[[], None] = _nothing
    """Called from the worker thread when the code begins, so that the time spent waiting for
    a thread does not count against the call's timeout."""
    on_result: Callable[[Any], None] = _nothing
    """Called from the worker thread with the code's result, so that a result that comes
    after the call was given up (a timeout, a dropped connection) is still reported."""


STANDALONE = Invocation()
"""Outside a session: anyio's shared worker threads, and no one to tell."""
