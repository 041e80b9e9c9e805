"""Sessions per core, and memory per idle session.

Concurrency: N sessions in one process pinned to one core, each receiving audio at real
time (50 deltas a second) and sending audio at real time, with a tool call every 3 s (each
session at a phase of its own). The event lag is the time from the peer sending a delta to
the app reading it, measured in a window that opens half a second after the last session is
connected (connecting N sessions at once, and the garbage collections it brings, is not the
steady state). The figure is the largest N whose p99 lag stays under 50 ms with at least 45
deltas a second received (a level gets a second try). Beside it, the client's CPU per
session-second at the first level: the steady cost, which the machine's noise hardly moves.

Memory: resident memory per idle connected session (1,000 sessions), beside 1,000 bare
websocket connections to the same peer.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from array import array
from typing import Any, NamedTuple

import anyio
from websockets.asyncio.client import connect as ws_connect

import rtagents

from ._peer import Peer

LEVELS = (100, 150, 200, 300, 400, 500, 600, 800)
# Measured from SETTLE_S after the last of N sessions is connected, for MEASURE_S: connecting
# N sessions at once (and the garbage collections it brings) is not the steady state measured.
SETTLE_S = 0.5
MEASURE_S = 4.5
CONNECT_LIMIT_S = 30.0
SILENCE_20MS = b"\\0" * 960


@rtagents.tool
async def noop() -> str:
    """Does nothing."""
    return "ok"


class _Lags:
    """Every delta's arrival time and lag, in two arrays of floats: the harness makes no
    object per sample. (A list of tuples made 20,000 long-lived objects a second at 400
    sessions, which forced a full garbage collection every few seconds, a pause that grows
    with the heap of whichever client is measured: the harness must not weigh on it.)"""

    def __init__(self) -> None:
        self.at = array("d")
        self.lag = array("d")

    def add(self, at: float, lag: float) -> None:
        self.at.append(at)
        self.lag.append(lag)


def _rss_kb() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


async def _one_session(
    url: str,
    lags: _Lags,
    counts: list[int],
    stop: anyio.Event,
    handlers: bool,
    connected: list[int],
) -> None:
    agent = rtagents.Agent(name="scale", tools=[noop], tracing=None)

    def note(event: Any) -> None:
        sent_at = (event.model_extra or {}).get("sent_at")
        if sent_at:
            now = time.time()
            lags.add(now, now - sent_at)
            counts[0] += 1

    async with rtagents.connect(
        agent, url=url, max_buffered_events=0 if handlers else 256
    ) as session:
        connected[0] += 1

        async def speak() -> None:
            start = time.monotonic()
            n = 0
            while not stop.is_set():
                n += 1
                await session.send_audio(SILENCE_20MS)
                await asyncio.sleep(max(0.0, start + n * 0.02 - time.monotonic()))

        if handlers:  # events handled in the reading task: no hand-over per event
            session.on("response.output_audio.delta")(note)
            await speak()
            return
        async with anyio.create_task_group() as tg:
            tg.start_soon(speak)
            async for event in session:
                if event.type == "response.output_audio.delta":
                    note(event)
                elif event.type == "session.closed":
                    break
                if stop.is_set():
                    break
            tg.cancel_scope.cancel()


async def _bare_session(
    url: str, lags: _Lags, counts: list[int], stop: asyncio.Event, connected: list[int]
) -> None:
    """The baseline: websockets + json + base64 doing the same work, tool calls included."""
    import base64

    async with ws_connect(url + "?model=bare", compression=None, max_size=None) as ws:
        await ws.send(json.dumps({"type": "session.update", "session": {"type": "realtime"}}))
        connected[0] += 1

        async def speak() -> None:
            start = time.monotonic()
            n = 0
            frame_head = '{"type":"input_audio_buffer.append","audio":"'
            while not stop.is_set():
                n += 1
                await ws.send(frame_head + base64.b64encode(SILENCE_20MS).decode() + '"}')
                await asyncio.sleep(max(0.0, start + n * 0.02 - time.monotonic()))

        task = asyncio.get_running_loop().create_task(speak())
        call_id = None
        try:
            async for raw in ws:
                event = json.loads(raw)
                kind = event["type"]
                if kind == "response.output_audio.delta":
                    base64.b64decode(event["delta"])
                    now = time.time()
                    lags.add(now, now - event["sent_at"])
                    counts[0] += 1
                elif kind == "response.function_call_arguments.done":
                    call_id = event["call_id"]
                elif kind == "response.done" and call_id:
                    await ws.send(
                        json.dumps(
                            {
                                "type": "conversation.item.create",
                                "item": {
                                    "type": "function_call_output",
                                    "call_id": call_id,
                                    "output": "ok",
                                },
                            }
                        )
                    )
                    await ws.send('{"type":"response.create"}')
                    call_id = None
                if stop.is_set():
                    break
        finally:
            task.cancel()


class _Window(NamedTuple):
    """The steady window of a level: its wall-clock bounds, and what it held."""

    start: float
    end: float
    cpu_s: float
    received: int
    wall_s: float


async def _steady_window(n: int, connected: list[int], counts: list[int]) -> _Window:
    """Wait for every session to connect, settle, then measure."""
    limit = time.monotonic() + CONNECT_LIMIT_S
    while connected[0] < n and time.monotonic() < limit:
        await asyncio.sleep(0.05)
    await asyncio.sleep(SETTLE_S)
    start, cpu, wall, count = time.time(), time.process_time(), time.monotonic(), counts[0]
    await asyncio.sleep(MEASURE_S)
    return _Window(
        start, time.time(), time.process_time() - cpu, counts[0] - count, time.monotonic() - wall
    )


async def _level(url: str, n: int, mode: str) -> dict[str, Any]:
    lags = _Lags()
    counts, connected = [0], [0]
    if mode == "bare":
        stop_bare = asyncio.Event()
        tasks = [
            asyncio.get_running_loop().create_task(
                _bare_session(url, lags, counts, stop_bare, connected)
            )
            for _ in range(n)
        ]
        window = await _steady_window(n, connected, counts)
        stop_bare.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    else:
        stop = anyio.Event()
        async with anyio.create_task_group() as tg:
            for _ in range(n):
                tg.start_soon(_one_session, url, lags, counts, stop, mode == "handlers", connected)
            window = await _steady_window(n, connected, counts)
            stop.set()
            tg.cancel_scope.cancel()
    pairs = zip(lags.at, lags.lag, strict=True)
    steady = sorted(lag for at, lag in pairs if window.start <= at < window.end) or [0.0]
    p99 = steady[int(len(steady) * 0.99) - 1] * 1000
    rate = window.received / (n * window.wall_s)
    return {
        "sessions": n,
        "p50_lag_ms": round(steady[len(steady) // 2] * 1000, 2),
        "p99_lag_ms": round(p99, 2),
        "deltas_per_session_per_s": round(rate, 1),
        # The client's own CPU per session, steady state: a figure the machine's noise
        # hardly moves, unlike the p99 near the knee.
        "cpu_ms_per_session_s": round(window.cpu_s / (n * window.wall_s) * 1000, 3),
    }


def _knees(modes: tuple[str, ...]) -> dict[str, tuple[int, list[dict[str, Any]]]]:
    """The largest level each mode holds. The modes take turns at each level, so that the
    machine's drift over minutes falls on all of them alike (run one after the other, the
    first could meet a quiet machine and the last a busy one)."""
    results: dict[str, list[dict[str, Any]]] = {mode: [] for mode in modes}
    best = dict.fromkeys(modes, 0)
    alive = list(modes)
    for n in LEVELS:
        if not alive:
            break
        held = dict.fromkeys(alive, False)
        # Near the knee, one hiccup of this shared machine moves a p99 threefold (the bare
        # loop's too): a level is tried a second time before it counts as failed.
        for _attempt in range(2):
            for mode in [m for m in alive if not held[m]]:
                with Peer("stream", int(CONNECT_LIMIT_S + SETTLE_S + MEASURE_S) + 2) as peer:
                    result = asyncio.run(_level(peer.url, n, mode))
                results[mode].append(result)
                held[mode] = result["p99_lag_ms"] < 50 and result["deltas_per_session_per_s"] >= 45
        for mode in list(alive):
            if held[mode]:
                best[mode] = n
            else:
                alive.remove(mode)
    return {mode: (best[mode], results[mode]) for mode in modes}


def concurrency() -> dict[str, Any]:
    pinned = hasattr(os, "sched_setaffinity")
    if pinned:
        cores = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {0})  # the client gets one core; the peer runs on the others
    try:
        knees = _knees(("bare", "iterate", "handlers"))
    finally:
        if pinned:  # the suites after this one (and their processes) get every core back
            os.sched_setaffinity(0, cores)

    def cpu(levels: list[dict[str, Any]]) -> float:
        return float(levels[0]["cpu_ms_per_session_s"])  # at the first level, below the knee

    (bare_best, bare_levels), (best, levels) = knees["bare"], knees["iterate"]
    handled_best, handled_levels = knees["handlers"]
    bare_cpu = cpu(bare_levels)
    return {
        "what": "largest N sessions on one core with p99 event lag under 50 ms (50 audio deltas/s each way, a tool call every 3 s per session at a phase of its own)",
        "baseline_bare_websockets_json_base64": {
            "max_sessions_per_core": bare_best,
            "levels": bare_levels,
        },
        "rtagents_async_for": {"max_sessions_per_core": best, "levels": levels},
        "rtagents_handlers": {"max_sessions_per_core": handled_best, "levels": handled_levels},
        "ratio_async_for": round(best / bare_best, 2) if bare_best else None,
        "ratio_handlers": round(handled_best / bare_best, 2) if bare_best else None,
        "target": "at least the bare loop's own figure in the same run",
        "meets_target": max(best, handled_best) >= bare_best,
        "cpu_per_session_ratio_to_bare": {
            "async_for": round(cpu(levels) / bare_cpu, 2),
            "handlers": round(cpu(handled_levels) / bare_cpu, 2),
            "what": "client CPU per session-second at the first level, against the bare loop's: the steady cost behind the figure above",
        },
    }


async def _idle_rtagents(url: str, n: int) -> int:
    before = _rss_kb()
    agent = rtagents.Agent(name="idle", tracing=None)
    stack = []
    for _ in range(n):
        cm = rtagents.connect(agent, url=url)
        stack.append((cm, await cm.__aenter__()))
    await anyio.sleep(0.5)
    used = _rss_kb() - before
    for cm, _ in reversed(stack):
        await cm.__aexit__(None, None, None)
    return used


async def _idle_bare(url: str, n: int) -> int:
    before = _rss_kb()
    sockets = [await ws_connect(url + "?model=x", compression=None) for _ in range(n)]
    await asyncio.sleep(0.5)
    used = _rss_kb() - before
    for ws in sockets:
        await ws.close()
    return used


def memory(n: int = 1000) -> dict[str, Any]:
    with Peer("tools", 1) as peer:
        bare = asyncio.run(_idle_bare(peer.url, n))
    with Peer("tools", 1) as peer:
        ours = asyncio.run(_idle_rtagents(peer.url, n))
    per = ours / n
    return {
        "what": f"resident memory per idle connected session ({n} sessions)",
        "unit": "KB per session",
        "baseline_bare_websocket": round(bare / n, 1),
        "rtagents": round(per, 1),
        "ratio": round(per / max(bare / n, 0.1), 2),
        "target_max": 100,
        "meets_target": per <= 100,
    }


def run() -> dict[str, Any]:
    return {"memory": memory(), "concurrency": concurrency()}


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
