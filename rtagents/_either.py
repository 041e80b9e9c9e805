"""Calling the app's function whether it is async or sync: the one place for approval
handlers, guardrails, a call's ``authorize`` and ``on_delegation``."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any, TypeGuard

import anyio
import anyio.to_thread


def is_async(fn: Callable[..., Any]) -> TypeGuard[Callable[..., Awaitable[Any]]]:
    """An ``async def`` function, or an object (not a class: calling one makes an instance)
    whose ``__call__`` is one."""
    return inspect.iscoroutinefunction(fn) or (
        not isinstance(fn, type) and inspect.iscoroutinefunction(getattr(fn, "__call__", None))  # noqa: B004
    )


async def call_either(
    fn: Callable[..., Any], *args: Any, limiter: anyio.CapacityLimiter | None = None
) -> Any:
    """What ``fn(*args)`` answers. An async ``fn`` is awaited here; a sync one runs in a
    worker thread (of ``limiter``'s, else anyio's shared ones), so that a slow one blocks
    neither the event loop nor the caller's timeout, and an awaitable it returns is awaited.

    A cancelled call abandons the thread: its ``limiter`` slot is free at once, but the
    thread runs on until ``fn`` returns (Python cannot stop it).
    """
    if is_async(fn):
        return await fn(*args)
    answer = await anyio.to_thread.run_sync(fn, *args, limiter=limiter, abandon_on_cancel=True)
    return await answer if inspect.isawaitable(answer) else answer
