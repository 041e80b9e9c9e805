"""For the tests that a closed session is freed by reference counting alone (deployment.md:
no part of it left in a reference cycle, which only a collection would free)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

import anyio

SESSIONS = 4


async def alive_before_any_collection(
    one: Callable[[], Awaitable[weakref.ref[Any]]],
) -> int:
    """How many of ``SESSIONS`` closed sessions' parts (``one`` opens, uses and closes a
    session, and gives a weak reference to a part of it) reference counting left alive."""
    await one()  # imports and caches: not a session's
    gc.collect()
    gc.disable()
    try:
        refs = [await one() for _ in range(SESSIONS)]
        await anyio.sleep(0.2)  # the closes' last callbacks
        return sum(ref() is not None for ref in refs)
    finally:
        gc.enable()
