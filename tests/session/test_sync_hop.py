"""A sync tool's call is one thread hop: its thread wakes the event loop once, with the result;
the clock starts on the loop when a thread is free; a result that comes after the call was
given up still reaches ``on_late`` (``tool.call.abandoned``), and its thread is counted until
then. A session without sync tools builds nothing for them."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from typing import Any

import anyio
import anyio.from_thread
import anyio.lowlevel
import pytest

import rtagents
from rtagents.session.invoke import invoke
from rtagents.session.workers import NoWorkerFree, WorkerPool

pytestmark = pytest.mark.anyio


@rtagents.tool
def noop_sync() -> str:
    """Does nothing, in a worker thread."""
    return "ok"


class Calls:
    """What ``invoke`` told its caller, and on which thread."""

    def __init__(self) -> None:
        self.clock: list[int] = []
        self.late: list[Any] = []

    def start_clock(self) -> None:
        self.clock.append(threading.get_ident())

    def on_late(self, result: Any) -> None:
        self.late.append(result)


async def run(tool: Any, pool: WorkerPool, calls: Calls, time_limit: float = 5.0) -> Any:
    ctx = rtagents.ToolContext(call_id="c1", tool_name=tool.name)
    return await invoke(
        tool,
        tool.parse_arguments("{}"),
        ctx,
        workers=pool,
        time_limit=time_limit,
        start_clock=calls.start_clock,
        on_late=calls.on_late,
    )


def anyio_state(pool: WorkerPool) -> list[Any]:
    """The anyio synchronisation objects the pool holds."""
    held = list(vars(pool).values()) if hasattr(pool, "__dict__") else []
    for name in getattr(type(pool), "__slots__", ()):
        held.append(getattr(pool, name, None))
    return [v for v in held if isinstance(v, (anyio.Semaphore, anyio.CapacityLimiter))]


async def test_a_sync_call_wakes_the_loop_from_its_thread_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pool, calls = WorkerPool(2), Calls()
    assert await run(noop_sync, pool, calls) == "ok"  # a thread exists from here on
    loop = asyncio.get_running_loop()
    wakes = 0
    threadsafe = loop.call_soon_threadsafe

    def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal wakes
        wakes += 1
        return threadsafe(*args, **kwargs)

    monkeypatch.setattr(loop, "call_soon_threadsafe", counted)
    for _ in range(5):
        assert await run(noop_sync, pool, calls) == "ok"
    assert wakes == 5
    assert calls.clock == [threading.get_ident()] * 6  # started on the loop, once a call
    assert calls.late == []
    assert pool.busy == 0


async def test_a_session_pool_builds_nothing_until_a_sync_tool_runs() -> None:
    pool = WorkerPool(3)
    assert anyio_state(pool) == []
    assert pool.busy == 0
    assert await run(noop_sync, pool, Calls()) == "ok"
    assert pool.busy == 0


async def test_a_result_after_the_call_was_given_up_is_late_and_its_thread_counted() -> None:
    pool, calls = WorkerPool(1), Calls()
    started, release = threading.Event(), threading.Event()

    @rtagents.tool
    def slow() -> str:
        """Blocks until released."""
        started.set()
        release.wait(10)
        return "late"

    task = asyncio.get_running_loop().create_task(run(slow, pool, calls))
    with anyio.fail_after(5):
        while not started.is_set():
            await anyio.sleep(0.005)
    task.cancel()  # given up (a deadline, a barge-in): answered at once, its code runs on
    with pytest.raises(asyncio.CancelledError):
        await task
    assert pool.busy == 1  # still the pool's thread
    with pytest.raises(NoWorkerFree):  # so a second call finds none within its wait
        await run(noop_sync, pool, Calls(), time_limit=0.05)
    release.set()
    with anyio.fail_after(5):
        while not calls.late:
            await anyio.sleep(0.005)
    assert calls.late == ["late"]
    assert pool.busy == 0
    assert await run(noop_sync, pool, Calls()) == "ok"


async def test_a_call_given_up_before_its_code_starts_never_runs_it() -> None:
    pool = WorkerPool(1)
    started, release, ran = threading.Event(), threading.Event(), threading.Event()

    @rtagents.tool
    def holds() -> str:
        """Holds the pool's one thread until released."""
        started.set()
        release.wait(10)
        return "held"

    @rtagents.tool
    def never() -> str:
        """Must not run."""
        ran.set()
        return "ran"

    holder = asyncio.get_running_loop().create_task(run(holds, pool, Calls()))
    with anyio.fail_after(5):
        while not started.is_set():
            await anyio.sleep(0.005)
    calls = Calls()
    waiting = asyncio.get_running_loop().create_task(run(never, pool, calls))
    await anyio.sleep(0.05)  # waiting for the thread
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    release.set()
    assert await holder == "held"
    await anyio.sleep(0.05)
    assert not ran.is_set()
    assert calls.clock == [] and calls.late == []
    assert pool.busy == 0


async def test_anyio_from_thread_in_a_sync_tool_fails_with_a_clear_error() -> None:
    async def on_the_loop() -> str:
        return "loop"

    @rtagents.tool
    def reaches_back() -> str:
        """Calls back into the event loop, the anyio way."""
        return anyio.from_thread.run(on_the_loop)

    with pytest.raises(RuntimeError, match="AnyIO worker thread"):
        await run(reaches_back, WorkerPool(1), Calls())


async def test_a_sync_tool_reaches_the_loop_with_an_anyio_token() -> None:
    token = anyio.lowlevel.current_token()
    loop_thread = threading.get_ident()

    async def on_the_loop() -> int:
        return threading.get_ident()

    @rtagents.tool
    def reaches_back() -> bool:
        """Calls back into the event loop with a token."""
        return anyio.from_thread.run(on_the_loop, token=token) == loop_thread

    assert await run(reaches_back, WorkerPool(1), Calls()) is True


async def test_a_sync_tool_sees_the_calls_context_variables() -> None:
    seen: contextvars.ContextVar[str] = contextvars.ContextVar("seen")
    seen.set("the call's")

    @rtagents.tool
    def reads() -> str:
        """Reads a context variable."""
        return seen.get("nothing")

    assert await run(reads, WorkerPool(1), Calls()) == "the call's"


async def test_a_call_given_up_while_its_job_waits_for_its_thread_never_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rtagents.session import workers

    handed: list[Any] = []
    monkeypatch.setattr(workers._THREADS, "submit", handed.append)  # the thread is slow
    pool, calls, ran = WorkerPool(1), Calls(), threading.Event()

    @rtagents.tool
    def never() -> str:
        """Must not run."""
        ran.set()
        return "ran"

    task = asyncio.get_running_loop().create_task(run(never, pool, calls))
    await asyncio.sleep(0)
    assert len(handed) == 1 and pool.busy == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert pool.busy == 0  # given back at once
    thread = threading.Thread(target=handed[0])  # the thread takes the job only now
    thread.start()
    thread.join(5)
    await anyio.sleep(0.05)
    assert not ran.is_set()
    assert calls.late == [] and pool.busy == 0
