"""Control-only sessions: one CallServer process holding many SIP calls' sideband sessions
(events, no audio), each with one tool turn every 10 s, as a phone deployment runs.

The emulator runs in another process (the server side is not what is measured). For each
turn the benchmark asks the call's session to take a user message (``app.say``); the model
calls a tool; the turn's latency is from ``say`` to the tool's completion on our side (two
loopback hops and the emulator's work included: an upper bound on the tool round trip).
Reported: turn latency p50/p99, the event loop's lag p99 (a 10 ms ticker), and the memory
each held session costs this process (RSS, and Python's own allocations).
"""

from __future__ import annotations

import asyncio
import gc
import json
import multiprocessing as mp
import os
import random
import resource
import sys
import time
import tracemalloc
from typing import Any

import anyio
import httpx2

import rtagents
from rtagents.calls import CallServer
from rtagents.emulator import CallFunction, ModelContext, Say
from rtagents.testing import serve_asgi

from ._stats import in_fresh_process, summary

SESSIONS = int(os.environ.get("RTAGENTS_BENCH_SIDEBANDS", "2000"))
PERIOD_S = 10.0
MEASURE_S = 30.0
PASSES = ("default_gc", "gc_frozen_after_ramp")
SECRET = "whsec_" + "YmVuY2htYXJrLXNpZ25pbmcta2V5LTAwMDAwMA=="


class _Clerk:
    def respond(self, ctx: ModelContext) -> list[Any]:
        last = ctx.items[-1] if ctx.items else {}
        if last.get("type") == "function_call_output":
            return [Say("Done.")]
        return [CallFunction("lookup", {"key": "k"})]


@rtagents.tool
async def lookup(key: str) -> str:
    """Looks a key up."""
    return f"value of {key}"


def _emulator(ports: Any) -> None:
    from rtagents.emulator import Emulator

    async def serve() -> None:
        async with Emulator(model=_Clerk(), record=0, keep_closed=1) as emu:
            ports.put(emu.http_url)
            await anyio.sleep_forever()

    asyncio.run(serve())


def _rss_kb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


async def _run(http_url: str, freeze: bool) -> dict[str, Any]:
    agent = rtagents.Agent(name="sideband", tools=[lookup], output_modalities=["text"])
    app = CallServer(agent=agent, webhook_secret=SECRET, api_key="-", base_url=http_url)
    turns: list[float] = []
    trips: list[float] = []  # the round trip, on our side: response.done -> create
    lag: list[float] = []
    async with serve_asgi(app) as url, httpx2.AsyncClient(base_url=http_url, timeout=60) as http:
        hook = f"{url}/openai/webhook"
        gc.collect()
        rss_before = _rss_kb()
        tracemalloc.start()
        heap_before = tracemalloc.get_traced_memory()[0]
        ids: list[str] = []
        for start in range(0, SESSIONS, 100):  # placed at 100 at a time, as a ramp
            batch = [
                http.post("/emulator/calls", json={"webhook_url": hook, "webhook_secret": SECRET})
                for _ in range(min(100, SESSIONS - start))
            ]
            replies = await asyncio.gather(*batch)
            ids += [r.json()["call_id"] for r in replies]
            with anyio.fail_after(120):
                while sum(1 for c in ids if c in app.calls and app.calls[c].session) < len(ids):
                    await anyio.sleep(0.05)
        gc.collect()
        heap_held = tracemalloc.get_traced_memory()[0] - heap_before
        tracemalloc.stop()
        rss_held = _rss_kb() - rss_before

        done: dict[str, anyio.Event] = {}

        def completed(call_id: str) -> Any:
            def on_event(event: Any) -> None:
                waiter = done.get(call_id)
                if waiter is not None:
                    waiter.set()

            return on_event

        def round_trip() -> tuple[Any, Any]:
            done_at: list[float] = []

            def on_done(event: Any) -> None:
                output = event.response.output or []
                if any(item.type == "function_call" for item in output):
                    done_at[:] = [time.perf_counter()]

            def on_requested(event: Any) -> None:
                if done_at:
                    trips.append(time.perf_counter() - done_at.pop())

            return on_done, on_requested

        for call_id in ids:
            session = app.calls[call_id].session
            session.on("tool.call.completed")(completed(call_id))
            on_done, on_requested = round_trip()
            session.on("response.done")(on_done)
            session.on("response.requested")(on_requested)

        async def ticker(until: float) -> None:
            while time.monotonic() < until:
                before = time.monotonic()
                await anyio.sleep(0.01)
                lag.append(time.monotonic() - before - 0.01)

        async def caller(call_id: str, until: float) -> None:
            await anyio.sleep(random.uniform(0, PERIOD_S))  # turns spread over the period
            while time.monotonic() < until:
                done[call_id] = anyio.Event()
                started = time.monotonic()
                await app.say(call_id, "Look it up.")
                with anyio.move_on_after(PERIOD_S):
                    await done[call_id].wait()
                    turns.append(time.monotonic() - started)
                await anyio.sleep(max(0.0, started + PERIOD_S - time.monotonic()))

        pauses: list[float] = []
        began: list[float] = []

        def timed_gc(phase: str, info: dict[str, Any]) -> None:
            if info["generation"] < 2:
                return
            if phase == "start":
                began[:] = [time.perf_counter()]
            elif began:
                pauses.append(time.perf_counter() - began[0])

        if freeze:  # what a deployment can do after its ramp: old objects leave the GC's scans
            gc.freeze()
        gc.callbacks.append(timed_gc)
        until = time.monotonic() + MEASURE_S
        async with anyio.create_task_group() as tg:
            tg.start_soon(ticker, until)
            for call_id in ids:
                tg.start_soon(caller, call_id, until)
        gc.callbacks.remove(timed_gc)
        gc.unfreeze()
        held = sum(1 for c in ids if app.calls[c].state == "active")
        for call_id in ids:
            await app.calls[call_id].session.close()
    turn_ms = summary(turns, scale=1e3)
    trip_ms = summary(trips, scale=1e3) if len(trips) >= 20 else {}
    lag_ms = summary(lag, scale=1e3)
    return {
        "sessions": SESSIONS,
        "sessions_active_at_end": held,
        "turns": len(turns),
        "turns_expected": int(SESSIONS * MEASURE_S / PERIOD_S),
        "turn_latency_ms": turn_ms,
        "tool_round_trip_ms_our_side": trip_ms,
        "event_loop_lag_ms": lag_ms,
        "target_p99_ms": 50,
        "meets_target": bool(trip_ms) and trip_ms["p99"] < 50,
        "full_gc_pauses_ms": [round(p * 1e3, 1) for p in pauses],
        "memory_per_session_kb_rss": round(rss_held / SESSIONS, 1),
        "memory_per_session_kb_python_heap": round(heap_held / SESSIONS / 1024, 1),
    }


def _pass(freeze: bool) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    ports = ctx.Queue()
    emulator = ctx.Process(target=_emulator, args=(ports,), daemon=True)
    emulator.start()
    try:
        http_url = ports.get(timeout=60)
        result: dict[str, Any] = anyio.run(_run, http_url, freeze)
    finally:
        emulator.terminate()
        emulator.join(5)
    return result


def run() -> dict[str, Any]:
    # Each pass in a process of its own: a heap left by the suites before (or by the other
    # pass) would lengthen every garbage collection and be measured as ours.
    passes = {name: in_fresh_process("sidebands", name) for name in PASSES}
    return {
        "what": "control-only sideband sessions on one CallServer process, one tool turn "
        "each every 10 s; turn latency = app.say to tool completion (an upper bound on the "
        "tool round trip); once as is, once with gc.freeze() after the ramp",
        **passes,
    }


if __name__ == "__main__":
    print(json.dumps(_pass(freeze=sys.argv[1] == "gc_frozen_after_ramp")))
