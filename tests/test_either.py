"""``rtagents._either.call_either``: the one way the app's sync-or-async functions are called
(approval handlers, guardrails, a call's ``authorize``, ``on_delegation``)."""

from __future__ import annotations

import threading
from typing import Any

import anyio
import pytest

from rtagents._either import call_either, is_async

pytestmark = pytest.mark.anyio


class AsyncCallable:
    async def __call__(self, x: int) -> int:
        return x + 1


async def test_async_sync_and_awaitable_answers() -> None:
    async def plus(x: int) -> int:
        return x + 1

    loop_thread = threading.get_ident()
    threads: list[int] = []

    def sync_plus(x: int) -> int:
        threads.append(threading.get_ident())
        return x + 1

    def returns_awaitable(x: int) -> Any:
        return plus(x)

    assert is_async(plus) and is_async(AsyncCallable()) and not is_async(sync_plus)
    assert await call_either(plus, 1) == 2
    assert await call_either(AsyncCallable(), 1) == 2
    assert await call_either(sync_plus, 1) == 2 and threads[0] != loop_thread
    assert await call_either(returns_awaitable, 1) == 2


async def test_a_cancelled_sync_call_frees_its_slot_at_once() -> None:
    """The thread is abandoned (Python cannot stop it); its limiter slot is not kept."""
    limiter = anyio.CapacityLimiter(1)
    release = threading.Event()
    with anyio.move_on_after(0.05):
        await call_either(release.wait, limiter=limiter)
    assert limiter.borrowed_tokens == 0
    assert await call_either(lambda: "next", limiter=limiter) == "next"
    release.set()  # the abandoned thread ends


async def test_a_class_with_an_async_call_is_made_in_a_thread_not_awaited() -> None:
    """Calling a class makes an instance (its ``__init__`` may block): it is no coroutine."""
    made: list[int] = []

    class Made(AsyncCallable):
        def __init__(self, x: int) -> None:
            made.append(threading.get_ident())

    assert not is_async(Made)
    assert isinstance(await call_either(Made, 1), Made)
    assert made and made[0] != threading.get_ident()
