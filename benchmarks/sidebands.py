"""Control-only sessions: one CallServer process holding many SIP calls' sideband sessions
(events, no audio), each with one tool turn every 10 s (2,000 calls), or every 30 s (10,000
calls: issue #36's density target), as a phone deployment runs.

The emulator runs in another process (the server side is not what is measured). Each call
speaks on a schedule of its own (a random phase, then every period), as callers do whatever
this process is doing: at each turn's time the benchmark asks the call's session to take a
user message (``app.say``); the model calls a tool; the turn's latency is from when it was
due to the tool's completion on our side (two loopback hops and the emulator's work
included: an upper bound on the tool round trip). One task keeps the schedule, so that the
heap measured holds the sessions, not the benchmark's callers. The window (90 s) is long
enough to hold this process's full collections at their own pace: one about every minute at
2,000 calls.
Reported: turn latency p50/p99, the event loop's lag p99 (a 10 ms ticker), the memory and
GC-tracked objects each held session costs this process, and every full garbage collection in
this process and in the emulator's (``gc.callbacks`` in both), with the slow turns (over the
100 ms target) sorted by whose collection they overlapped.

Sizes: ``RTAGENTS_BENCH_SIDEBANDS`` (calls at the 10 s level, default 2000),
``RTAGENTS_BENCH_SIDEBANDS_DENSE`` (calls at the 30 s level, default 10000; 0 skips it) and
``RTAGENTS_BENCH_SIDEBANDS_MEASURE_S`` (the window measured, default 90 s);
``RTAGENTS_BENCH_SIDEBANDS_EMULATOR_GC`` what the emulator's collector does in the window
(``off``, the default: its heap frozen after the ramp and the collector off until the window
ends; ``frozen``: frozen only; ``on``: left as it is). One pass:
``python -m benchmarks.sidebands SESSIONS:PERIOD_S:default_gc|gc_frozen_after_ramp``.
"""

from __future__ import annotations

import asyncio
import gc
import heapq
import itertools
import json
import multiprocessing as mp
import os
import random
import sys
import threading
import time
from typing import Any

import anyio
import httpx2

import rtagents
from rtagents.calls import CallServer
from rtagents.emulator import CallFunction, ModelContext, Say
from rtagents.testing import serve_asgi

from ._stats import FullCollections, in_fresh_process, raise_fd_limit, rss_kb, summary

SESSIONS = int(os.environ.get("RTAGENTS_BENCH_SIDEBANDS", "2000"))
DENSE_SESSIONS = int(os.environ.get("RTAGENTS_BENCH_SIDEBANDS_DENSE", "10000"))
MEASURE_S = float(os.environ.get("RTAGENTS_BENCH_SIDEBANDS_MEASURE_S", "90"))
EMULATOR_GC = os.environ.get("RTAGENTS_BENCH_SIDEBANDS_EMULATOR_GC", "off")
if EMULATOR_GC not in ("off", "frozen", "on"):
    raise ValueError(
        f"RTAGENTS_BENCH_SIDEBANDS_EMULATOR_GC is off, frozen or on, not {EMULATOR_GC!r}"
    )
PERIOD_S = 10.0
DENSE_PERIOD_S = 30.0
TRIP_TARGET_MS = 50.0
TURN_TARGET_MS = 100.0
SECRET = "whsec_" + "YmVuY2htYXJrLXNpZ25pbmcta2V5LTAwMDAwMA=="


class _Clerk:
    """Looks up what the caller's last message names (its turn's number), then says done:
    each completion names its own turn, however late it comes."""

    def respond(self, ctx: ModelContext) -> list[Any]:
        last = ctx.items[-1] if ctx.items else {}
        if last.get("type") == "function_call_output":
            return [Say("Done.")]
        said = next((part.get("text") or "" for part in last.get("content") or []), "")
        return [CallFunction("lookup", {"key": said.rsplit(" ", 1)[-1]})]


@rtagents.tool
async def lookup(key: str) -> str:
    """Looks a key up."""
    return f"value of {key}"


def _emulator(ports: Any, asks: Any, answers: Any) -> None:
    from rtagents.emulator import Emulator

    raise_fd_limit()
    seen = FullCollections()
    gc.callbacks.append(seen)

    def answer() -> None:  # asked before the window measured (``EMULATOR_GC``) and after
        while True:
            ask = asks.get()
            pauses = list(seen.pauses)
            cpu = time.process_time()
            if ask in ("off", "frozen"):  # the server's heap is not what is measured: see _run
                gc.collect()
                gc.freeze()
            if ask == "off":
                gc.disable()
            if ask == "end":
                gc.enable()
                gc.collect()  # what is left of the turns' objects
            answers.put((pauses, cpu, len(gc.get_objects()) + gc.get_freeze_count()))

    threading.Thread(target=answer, daemon=True).start()

    async def serve() -> None:
        async with Emulator(model=_Clerk(), record=0, keep_closed=1) as emu:
            ports.put(emu.http_url)
            await anyio.sleep_forever()

    asyncio.run(serve())


def _overlapping(turn: tuple[float, float], pauses: list[tuple[float, float]]) -> bool:
    began, ended = turn
    return any(start < ended and start + length > began for start, length in pauses)


def _slow_turns(
    turns: list[tuple[float, float]],
    ours: list[tuple[float, float]],
    theirs: list[tuple[float, float]],
) -> dict[str, int]:
    """The turns over the target, by whose full collection ran while they waited."""
    counts = {"total": 0, "our_gc": 0, "emulator_gc": 0, "both": 0, "neither": 0}
    for turn in turns:
        if turn[1] - turn[0] <= TURN_TARGET_MS / 1e3:
            continue
        mine, its = _overlapping(turn, ours), _overlapping(turn, theirs)
        counts["total"] += 1
        counts[
            "both" if mine and its else "our_gc" if mine else "emulator_gc" if its else "neither"
        ] += 1
    return counts


def _pauses_ms(pauses: list[tuple[float, float]], since: float) -> list[float]:
    return [round(length * 1e3, 1) for start, length in pauses if start >= since]


async def _run(
    http_url: str, sessions: int, period: float, freeze: bool, ask_emulator: Any
) -> dict[str, Any]:
    agent = rtagents.Agent(name="sideband", tools=[lookup], output_modalities=["text"])
    app = CallServer(agent=agent, webhook_secret=SECRET, api_key="-", base_url=http_url)
    turns: list[tuple[float, float]] = []  # (began, ended), time.monotonic
    trips: list[float] = []  # the round trip, on our side: response.done -> create
    lag: list[float] = []
    async with serve_asgi(app) as url, httpx2.AsyncClient(base_url=http_url, timeout=60) as http:
        hook = f"{url}/openai/webhook"
        gc.collect()
        rss_before = rss_kb()
        tracked_before = len(gc.get_objects())
        ramp_began = time.monotonic()
        ids: list[str] = []
        for start in range(0, sessions, 100):  # placed at 100 at a time, as a ramp
            batch = [
                http.post("/emulator/calls", json={"webhook_url": hook, "webhook_secret": SECRET})
                for _ in range(min(100, sessions - start))
            ]
            replies = await asyncio.gather(*batch)
            placed = [r.json()["call_id"] for r in replies]
            ids += placed
            with anyio.fail_after(120):
                while not all(c in app.calls and app.calls[c].session for c in placed):
                    await anyio.sleep(0.05)
        ramp_s = time.monotonic() - ramp_began
        gc.collect()
        tracked_held = len(gc.get_objects()) - tracked_before
        rss_held = rss_kb() - rss_before

        outstanding: dict[int, float] = {}  # turn -> when it was due
        last_turn: dict[str, int] = {}  # call -> its latest turn

        def completed(event: Any) -> None:
            # The output names the turn (see _Clerk): a late completion is its own turn's,
            # and one already counted as the whole period is not counted again.
            due = outstanding.pop(int(event.output.rsplit(" ", 1)[-1]), None)
            if due is not None:
                turns.append((due, time.monotonic()))

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
            session.on("tool.call.completed")(completed)
            on_done, on_requested = round_trip()
            session.on("response.done")(on_done)
            session.on("response.requested")(on_requested)

        async def ticker(until: float) -> None:
            while time.monotonic() < until:
                before = time.monotonic()
                await anyio.sleep(0.01)
                lag.append(time.monotonic() - before - 0.01)

        def timed_out(turn: int | None) -> None:
            # A turn that took the whole period counts as that long: it must weigh on the
            # p99, not drop out of it.
            due = outstanding.pop(turn, None) if turn is not None else None
            if due is not None:
                turns.append((due, due + period))

        async def callers(until: float) -> None:
            # One task speaks for every caller, each on a schedule of their own: a caller
            # speaks when they speak, not when this process wakes up, and their speech comes
            # from OpenAI's side, not from tasks in this process. A turn is timed from when it
            # was due, so a pause that made it late is in its latency. (A task per caller that
            # timed its turns from waking up kept 2,000 tasks' objects in the heap measured,
            # left a pause out of the turns it delayed, and started those turns again together
            # one period later, as a burst no real caller makes.)
            schedule = [(until - MEASURE_S + random.uniform(0, period), c) for c in ids]
            heapq.heapify(schedule)
            async with anyio.create_task_group() as speaking:
                for turn in itertools.count():
                    if schedule[0][0] >= until:
                        break
                    due, call_id = heapq.heappop(schedule)
                    await anyio.sleep(max(0.0, due - time.monotonic()))
                    timed_out(last_turn.get(call_id))
                    outstanding[turn], last_turn[call_id] = due, turn
                    speaking.start_soon(app.say, call_id, f"Look up {turn}")
                    heapq.heappush(schedule, (due + period, call_id))
            with anyio.move_on_after(period):
                while outstanding:
                    await anyio.sleep(0.05)
            for turn in list(outstanding):
                timed_out(turn)

        # The emulator stands in for OpenAI's servers, whose collections are not in the
        # caller's process. It holds as many tracked objects per call as this process does:
        # its full collections (0.4-1 s at 2,000 calls) held up most slow turns until it
        # froze its heap after the ramp. Frozen, they still came every 20 s or so (CPython
        # collects all when the old generation has grown by a quarter since the last full
        # collection, and a frozen heap leaves that generation small) and took 0.08-0.18 s:
        # they held up more slow turns than ours. So by
        # default its collector is off in the window, and collects once it ends.
        _, their_cpu, their_tracked = await anyio.to_thread.run_sync(ask_emulator, EMULATOR_GC)
        gc.collect()  # the benchmark's own objects, made since the ramp, are old ones too
        ours = FullCollections()
        if freeze:  # what a deployment can do after its ramp: old objects leave the GC's scans
            gc.freeze()
        gc.callbacks.append(ours)
        our_cpu = time.process_time()
        measured_from = time.monotonic()
        until = measured_from + MEASURE_S
        async with anyio.create_task_group() as tg:
            tg.start_soon(ticker, until)
            tg.start_soon(callers, until)
        window = time.monotonic() - measured_from
        our_cpu = time.process_time() - our_cpu
        gc.callbacks.remove(ours)
        gc.unfreeze()
        gc.collect()
        our_growth = len(gc.get_objects()) - tracked_before - tracked_held
        theirs, cpu, tracked = await anyio.to_thread.run_sync(ask_emulator, "end")
        their_cpu, their_growth = cpu - their_cpu, tracked - their_tracked
        held = sum(1 for c in ids if app.calls[c].state == "active")
        closing = [app.calls[c].session for c in ids]
        for start in range(0, len(closing), 500):
            async with anyio.create_task_group() as tg:
                for session in closing[start : start + 500]:
                    tg.start_soon(session.close)
    turn_ms = summary([ended - began for began, ended in turns], scale=1e3)
    trip_ms = summary(trips, scale=1e3) if len(trips) >= 20 else {}
    lag_ms = summary(lag, scale=1e3)
    return {
        "sessions": sessions,
        "turn_every_s": period,
        "measured_s": MEASURE_S,
        "ramp_s": round(ramp_s, 1),
        "sessions_active_at_end": held,
        "turns": len(turns),
        "turns_expected": int(sessions * MEASURE_S / period),
        "turn_latency_ms": turn_ms,
        "tool_round_trip_ms_our_side": trip_ms,
        "event_loop_lag_ms": lag_ms,
        "target_tool_round_trip_p99_ms": TRIP_TARGET_MS,
        "meets_target": bool(trip_ms) and trip_ms["p99"] < TRIP_TARGET_MS,
        "target_turn_p99_ms": TURN_TARGET_MS,
        "meets_turn_target": turn_ms["p99"] < TURN_TARGET_MS,
        "full_gc_pauses_ms": _pauses_ms(ours.pauses, measured_from),
        "emulator_full_gc_pauses_ms": _pauses_ms(theirs, measured_from),
        "emulator_gc_tracked_objects_after": tracked,
        "emulator_gc_in_window": EMULATOR_GC,
        "gc_tracked_objects_added_per_turn": {
            "ours": round(our_growth / max(1, len(turns)), 1),
            "emulator": round(their_growth / max(1, len(turns)), 1),
        },
        "cpu_per_turn_ms": {
            "ours": round(our_cpu / max(1, len(turns)) * 1e3, 2),
            "emulator": round(their_cpu / max(1, len(turns)) * 1e3, 2),
        },
        "cpu_busy_fraction": {
            "ours": round(our_cpu / window, 2),
            "emulator": round(their_cpu / window, 2),
        },
        "turns_over_target_by_overlapping_full_gc": _slow_turns(turns, ours.pauses, theirs),
        "memory_per_session_kb_rss": round(rss_held / sessions, 1),
        "gc_tracked_objects_per_session": round(tracked_held / sessions, 1),
    }


def _pass(variant: str) -> dict[str, Any]:
    sessions, period, mode = variant.split(":")
    fds = raise_fd_limit()
    ctx = mp.get_context("spawn")
    ports, asks, answers = ctx.Queue(), ctx.Queue(), ctx.Queue()
    emulator = ctx.Process(target=_emulator, args=(ports, asks, answers), daemon=True)
    emulator.start()

    def ask_emulator(ask: str) -> Any:
        asks.put(ask)
        return answers.get(timeout=60)

    try:
        http_url = ports.get(timeout=60)
        result: dict[str, Any] = anyio.run(
            _run,
            http_url,
            int(sessions),
            float(period),
            mode == "gc_frozen_after_ramp",
            ask_emulator,
        )
    finally:
        emulator.terminate()
        emulator.join(5)
    return {"mode": mode, "open_files_limit": fds, **result}


def run() -> dict[str, Any]:
    # Each pass in a process of its own: a heap left by the suites before (or by the other
    # pass) would lengthen every garbage collection and be measured as ours.
    passes: dict[str, Any] = {}
    for name, variant in (
        ("default_gc", f"{SESSIONS}:{PERIOD_S}:default_gc"),
        ("gc_frozen_after_ramp", f"{SESSIONS}:{PERIOD_S}:gc_frozen_after_ramp"),
        ("dense_default_gc", f"{DENSE_SESSIONS}:{DENSE_PERIOD_S}:default_gc"),
    ):
        if not variant.startswith("0:"):
            began = time.monotonic()
            passes[name] = in_fresh_process("sidebands", variant, timeout=1800)
            passes[name]["pass_s"] = round(time.monotonic() - began, 1)
    summary_: dict[str, Any] = {}
    if "dense_default_gc" in passes:
        dense = passes["dense_default_gc"]
        summary_[f"tool_round_trip_p99_ms_at_{DENSE_SESSIONS}"] = dense[
            "tool_round_trip_ms_our_side"
        ].get("p99")
        summary_[f"tool_round_trip_p99_under_{TRIP_TARGET_MS:g}ms_at_{DENSE_SESSIONS}"] = dense[
            "meets_target"
        ]
        summary_[f"rss_per_session_kb_at_{DENSE_SESSIONS}"] = dense["memory_per_session_kb_rss"]
    if "default_gc" in passes:
        turn = passes["default_gc"]
        summary_[f"turn_p99_ms_at_{SESSIONS}"] = turn["turn_latency_ms"]["p99"]
        summary_[f"turn_p99_under_{TURN_TARGET_MS:g}ms_at_{SESSIONS}"] = turn["meets_turn_target"]
    return {
        "targets": summary_,
        "what": "control-only sideband sessions on one CallServer process, one tool turn "
        f"each every {PERIOD_S:g} s at {SESSIONS} calls (once as is, once with gc.freeze() "
        f"after the ramp) and every {DENSE_PERIOD_S:g} s at {DENSE_SESSIONS} calls; turn "
        "latency = app.say to tool completion through the emulator's process (target p99 "
        f"under {TURN_TARGET_MS:g} ms at {SESSIONS}); tool round trip = response.done to "
        f"response.create on our side (target p99 under {TRIP_TARGET_MS:g} ms)",
        **passes,
    }


if __name__ == "__main__":
    print(json.dumps(_pass(sys.argv[1])))
