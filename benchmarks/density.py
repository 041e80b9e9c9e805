"""Idle-session density: what 2,000 idle sessions cost one process's garbage collector and
memory, rtagents against bare websocket sessions, each kind in a fresh process of its own,
both held at once.

A bare session is a ``websockets`` connection that sent ``session.update``, read
``session.updated``, and has a reader task (as any real client has). An rtagents session is
``rtagents.connect(Agent(...), url=...)`` with nobody reading. Both talk to the emulator,
which runs in another process of its own (its heap is not measured).

Reported for each kind: GC-tracked objects per session (``len(gc.get_objects())`` after
``gc.collect()``, before and after the sessions opened, over N), one full collection's pause
(the median of a few ``gc.collect()`` timed around the call and, from inside the collector,
by ``gc.callbacks``; the two kinds' collections are timed in turn, so that the machine's
drift hits both alike), the same after ``gc.freeze()``, and resident memory per session; then
rtagents' ratios to the bare figures and whether each is within 1.5x (issue #36).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import multiprocessing as mp
import os
import select
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import Any

import anyio

from ._stats import FullCollections, raise_fd_limit, rss_kb

SESSIONS = int(os.environ.get("RTAGENTS_BENCH_DENSITY", "2000"))
KINDS = ("bare", "rtagents")
COLLECTIONS = 7  # full collections timed per kind; their median is the figure
TARGET_RATIO = 1.5
UPDATE = json.dumps({"type": "session.update", "session": {"type": "realtime"}})


def _emulator(urls: Any) -> None:
    from rtagents.emulator import Emulator

    raise_fd_limit()

    async def serve() -> None:
        async with Emulator(record=0, keep_closed=1) as emu:
            urls.put(emu.url)
            await anyio.sleep_forever()

    asyncio.run(serve())


def _time_full_collections(count: int) -> dict[str, float]:
    """``count`` full collections: median and min ms around the call and by gc.callbacks."""
    seen = FullCollections()
    outside = []
    gc.callbacks.append(seen)
    try:
        for _ in range(count):
            began = time.perf_counter()
            gc.collect()
            outside.append(time.perf_counter() - began)
    finally:
        gc.callbacks.remove(seen)
    return {
        "median_ms": round(statistics.median(outside) * 1e3, 2),
        "min_ms": round(min(outside) * 1e3, 2),
        "by_gc_callbacks_median_ms": round(
            statistics.median(length for _, length in seen.pauses) * 1e3, 2
        ),
    }


@asynccontextmanager
async def _bare_sessions(url: str, n: int) -> AsyncIterator[None]:
    from websockets.asyncio.client import connect as ws_connect

    async def reader(ws: Any) -> None:
        async for _ in ws:
            pass

    loop = asyncio.get_running_loop()
    sockets: list[Any] = []
    readers: list[asyncio.Task[None]] = []
    try:
        for _ in range(n):
            ws = await ws_connect(url + "?model=bare", compression=None, max_size=None)
            sockets.append(ws)
            await ws.send(UPDATE)
            while json.loads(await ws.recv())["type"] != "session.updated":
                pass
            readers.append(loop.create_task(reader(ws)))
        yield
    finally:
        for task in readers:
            task.cancel()
        for ws in sockets:
            await ws.close()


@asynccontextmanager
async def _rtagents_sessions(url: str, n: int) -> AsyncIterator[None]:
    import rtagents

    agent = rtagents.Agent(name="idle", tracing=None)
    async with AsyncExitStack() as stack:
        for _ in range(n):
            await stack.enter_async_context(rtagents.connect(agent, url=url))
        yield


_OPENERS: dict[str, Callable[[str, int], AbstractAsyncContextManager[None]]] = {
    "bare": _bare_sessions,
    "rtagents": _rtagents_sessions,
}


async def _hold(url: str, kind: str, ask: Callable[[], str], say: Callable[[Any], None]) -> None:
    """One kind's sessions, measured step by step as asked (``ask``, each answer ``say``):
    ``empty`` times full collections before the sessions open, ``open`` opens them and
    counts what they hold, ``collect`` times one full collection, ``frozen`` three after
    ``gc.freeze()``, ``end`` closes them. The other kind's process is asked in turn."""
    from websockets.asyncio.client import connect  # noqa: F401

    import rtagents  # noqa: F401  (both kinds start from the same imported heap)

    async with _OPENERS[kind](url, 1):  # one session first: lazy imports and first-use caches
        pass  # are not a session's cost
    gc.collect()
    tracked_before = len(gc.get_objects())
    rss_before = rss_kb()
    say({"ready": kind})

    async def next_command() -> str:  # the loop goes on (keepalives) while it waits
        return await anyio.to_thread.run_sync(ask)

    while (command := await next_command()) == "empty":
        say(_time_full_collections(1))
    if command != "open":
        return
    began = time.perf_counter()
    async with _OPENERS[kind](url, SESSIONS):
        opened_s = time.perf_counter() - began
        await asyncio.sleep(1.0)  # keepalives, late frames: the sessions as they idle
        gc.collect()
        tracked = len(gc.get_objects())
        rss = rss_kb()
        say(
            {
                "sessions": SESSIONS,
                "open_s": round(opened_s, 1),
                "gc_tracked_before": tracked_before,
                "gc_tracked_with_sessions": tracked,
                "gc_tracked_per_session": round((tracked - tracked_before) / SESSIONS, 1),
                "rss_per_session_kb": round((rss - rss_before) / SESSIONS, 1),
            }
        )
        while (command := await next_command()) != "end":
            if command == "collect":
                say(_time_full_collections(1))
            elif command == "frozen":
                gc.freeze()
                say(_time_full_collections(3))
                gc.unfreeze()


def _measure(kind: str) -> None:
    """A kind's process: its sessions held and measured on command (stdin, one line each),
    each answer a line of JSON on what was stdout. Stdout itself goes to stderr from here,
    for this process and the emulator it starts: nothing else can reach the answers' pipe,
    nor keep it open once this process is gone."""
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    raise_fd_limit()
    ctx = mp.get_context("spawn")
    urls = ctx.Queue()
    emulator = ctx.Process(target=_emulator, args=(urls,), daemon=True)
    emulator.start()

    def say(what: Any) -> None:
        answers.write(json.dumps(what) + "\n")

    try:
        url = urls.get(timeout=60)
        asyncio.run(_hold(url, kind, lambda: sys.stdin.readline().strip() or "end", say))
    finally:
        emulator.terminate()
        emulator.join(5)


class _Kind:
    """One kind's process, asked for one thing at a time, each answer awaited at most
    ``ANSWER_S``; in a session (process group) of its own, so that a kill takes its
    emulator too."""

    ANSWER_S = 300.0

    def __init__(self, kind: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.density", kind],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )

    def answer(self) -> Any:
        out = self.process.stdout
        assert out is not None
        ready, _, _ = select.select([out], [], [], self.ANSWER_S)
        line = out.readline() if ready else ""
        if not line:
            if ready:  # the end of its output: it is gone, or going
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.process.wait(10)
            ended = self.process.poll()
            why = f"ended early (exit {ended})" if ended is not None else "gave no answer"
            raise RuntimeError(f"benchmarks.density {self.process.args[-1]} {why}")
        return json.loads(line)

    def ask(self, command: str) -> Any:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return None if command == "end" else self.answer()

    def close(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.ask("end")
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(OSError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def _collections(samples: list[Any]) -> dict[str, float]:
    outside = [s["median_ms"] for s in samples]
    inside = [s["by_gc_callbacks_median_ms"] for s in samples]
    return {
        "median_ms": round(statistics.median(outside), 2),
        "min_ms": round(min(outside), 2),
        "by_gc_callbacks_median_ms": round(statistics.median(inside), 2),
    }


def _in_turn(kinds: dict[str, _Kind], command: str) -> dict[str, list[Any]]:
    """``command`` asked of each kind ``COLLECTIONS`` times, in turn (bare, rtagents,
    rtagents, bare, ...): the answers of each kind."""
    answers: dict[str, list[Any]] = {kind: [] for kind in KINDS}
    for n in range(COLLECTIONS):
        for kind in KINDS if n % 2 == 0 else KINDS[::-1]:
            answers[kind].append(kinds[kind].ask(command))
    return answers


def _both() -> tuple[dict[str, Any], dict[str, Any], list[float]]:
    """Both kinds held at once, each in a process of its own, every step taken in turn: each
    full collection before the sessions and with them (bare, rtagents, rtagents, bare, ...),
    the opening between, and the frozen ones. This shared machine drifts by tens
    of percent in a minute: measured one kind after the other, the pause ratio of the same
    code moved from 1.19x to 1.79x between runs. Also each pair's own ratio."""
    kinds: dict[str, _Kind] = {}
    try:
        for kind in KINDS:
            kinds[kind] = _Kind(kind)
        for k in kinds.values():
            k.answer()  # ready: imported, one session opened and closed
        empty = _in_turn(kinds, "empty")
        held = {kind: k.ask("open") for kind, k in kinds.items()}
        timed = _in_turn(kinds, "collect")
        for kind, k in kinds.items():
            held[kind]["full_gc_pause_ms_without_sessions"] = _collections(empty[kind])
            held[kind]["full_gc_pause_ms"] = _collections(timed[kind])
            held[kind]["full_gc_pause_ms_after_gc_freeze"] = k.ask("frozen")
    finally:
        for k in kinds.values():
            k.close()
    pairs = [
        ours["median_ms"] / bare["median_ms"]
        for bare, ours in zip(timed["bare"], timed["rtagents"], strict=True)
        if bare["median_ms"] > 0
    ]
    return held["bare"], held["rtagents"], pairs


def _added_pause_ms(kind: dict[str, Any]) -> float:
    with_them = kind["full_gc_pause_ms"]["median_ms"]
    return float(with_them - kind["full_gc_pause_ms_without_sessions"]["median_ms"])


def _ratio(ours: float, bare: float) -> float:
    return round(ours / bare, 2) if bare > 0 else float("inf")


def run() -> dict[str, Any]:
    # Each kind in a process of its own: a heap left by the suites before would lengthen every
    # collection, and the other kind's sessions would be counted as this one's.
    started = time.perf_counter()
    bare, ours, pairs = _both()
    objects = _ratio(ours["gc_tracked_per_session"], bare["gc_tracked_per_session"])
    pause = _ratio(ours["full_gc_pause_ms"]["median_ms"], bare["full_gc_pause_ms"]["median_ms"])
    pause_pairs = round(statistics.median(pairs), 2)
    pause_cb = _ratio(
        ours["full_gc_pause_ms"]["by_gc_callbacks_median_ms"],
        bare["full_gc_pause_ms"]["by_gc_callbacks_median_ms"],
    )
    # What the sessions add to a collection: the heap each kind has without them (imports,
    # the loop) is not what the target is about, and it would dilute the ratio.
    added = _ratio(*(_added_pause_ms(kind) for kind in (ours, bare)))
    rss = _ratio(ours["rss_per_session_kb"], bare["rss_per_session_kb"])
    return {
        "what": f"{SESSIONS} idle sessions in one process, rtagents against bare websocket "
        "sessions (session.update sent, session.updated read, a reader task), each kind in a "
        "process of its own, both held at once, the emulator in two more: GC-tracked objects "
        "per session, one full collection's pause (median of several, the two kinds timed "
        "in turn), RSS per session",
        "bare_websocket": bare,
        "rtagents": ours,
        "ratio_gc_tracked_per_session": objects,
        "ratio_full_gc_pause": pause,
        "ratio_full_gc_pause_pairs": pause_pairs,
        "ratio_full_gc_pause_by_gc_callbacks": pause_cb,
        "ratio_full_gc_pause_added_by_the_sessions": added,
        "ratio_rss_per_session": rss,
        "target_max_ratio": TARGET_RATIO,
        "meets_target": {
            "gc_tracked_per_session": objects <= TARGET_RATIO,
            "full_gc_pause": pause <= TARGET_RATIO,
            "full_gc_pause_added_by_the_sessions": added <= TARGET_RATIO,
            "rss_per_session": rss <= TARGET_RATIO,
        },
        "suite_s": round(time.perf_counter() - started, 1),
    }


if __name__ == "__main__":
    _measure(sys.argv[1])
