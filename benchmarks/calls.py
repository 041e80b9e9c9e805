"""Calls: 100 phone calls placed at once on one CallServer process, against the emulator over
loopback HTTP and websockets. Reported: the time from placing a call to its accept (the
signed webhook, its verification, the routing, the accept request), p50/p99, against the
same for calls placed one at a time in the same run; and the memory a call holds while it is
up (both sides are in this process: the emulator's and the CallServer's sideband), measured
in a burst of its own under ``tracemalloc``, which would slow the timed one."""

from __future__ import annotations

import contextlib
import gc
import tracemalloc
from typing import Any

import anyio

import rtagents
from rtagents.calls import CallNotFound, CallServer
from rtagents.emulator import CallFunction, Emulator, ModelContext, Say
from rtagents.testing import serve_asgi

from ._stats import summary

CALLS = 100
SECRET = "whsec_" + "YmVuY2htYXJrLXNpZ25pbmcta2V5LTAwMDAwMA=="


class _Forecaster:
    def respond(self, ctx: ModelContext) -> list[Any]:
        if any(i.get("type") == "function_call_output" for i in ctx.items):
            return [Say("It is sunny.")]
        return [CallFunction("get_weather", {"city": "Oslo"})]


@rtagents.tool
def get_weather(city: str) -> str:
    """The weather."""
    return f"sunny in {city}"


async def _run() -> dict[str, Any]:
    agent = rtagents.Agent(name="bench", tools=[get_weather], output_modalities=["text"])
    async with Emulator(model=_Forecaster(), record=0) as emu:
        app = CallServer(agent=agent, webhook_secret=SECRET, api_key="-", base_url=emu.http_url)
        async with serve_asgi(app) as url:
            hook = f"{url}/openai/webhook"
            alone = []  # the baseline: one call at a time, the same path
            for _ in range(20):
                call = emu.desk.calls[emu.place_call(hook, SECRET, say=["Weather?"])]
                with anyio.fail_after(10):
                    while call.accepted_at is None:
                        await anyio.sleep(0.001)
                    alone.append(call.accepted_at - call.placed_at)
                    # Hung up once the app holds the call with its sideband: before that, the
                    # accept's reply may not have reached the app (CallNotFound), or the
                    # sideband would find the call already ended.
                    while (record := app.calls.get(call.call_id)) is None or record.session is None:
                        await anyio.sleep(0.001)
                await app.hangup(call.call_id)

            async def burst() -> list[str]:
                ids = [emu.place_call(hook, SECRET, say=["Weather?"]) for _ in range(CALLS)]
                with anyio.fail_after(120):
                    while not all(
                        any(t["role"] == "assistant" for t in emu.desk.calls[c].transcript)
                        for c in ids
                    ):
                        await anyio.sleep(0.05)
                return ids

            # Two bursts: the first measures memory, the second time. tracemalloc charges
            # every allocation, which made a burst's accepts three to four times slower
            # than they are, and the figure a measure of tracemalloc.
            gc.collect()
            tracemalloc.start()
            before = tracemalloc.get_traced_memory()[0]
            weighed = await burst()
            gc.collect()
            held = tracemalloc.get_traced_memory()[0] - before
            tracemalloc.stop()
            for call_id in weighed:
                with contextlib.suppress(CallNotFound):  # one that failed is over already
                    await app.hangup(call_id)
            with anyio.fail_after(60):
                while any(app.calls[c].state == "active" for c in weighed if c in app.calls):
                    await anyio.sleep(0.05)
            gc.collect()
            calls = [emu.desk.calls[c] for c in await burst()]
            accept = [c.accepted_at - c.placed_at for c in calls if c.accepted_at is not None]
            answered = sum(1 for c in calls for t in c.tool_calls if t["output"])
    accept_ms = summary(accept, scale=1e3)
    alone_ms = summary(alone, scale=1e3)
    return {
        "calls": CALLS,
        "accepted": len(accept),
        "tool_calls_answered": answered,
        "place_to_accept_ms": accept_ms,
        "place_to_accept_one_at_a_time_ms": alone_ms,
        "burst_vs_one_at_a_time": round(accept_ms["median"] / alone_ms["median"], 2),
        # Both sides of each call are in this process: the emulator's and the CallServer's.
        "memory_per_call_kb_both_sides": round(held / CALLS / 1024, 1),
    }


def run() -> dict[str, Any]:
    result: dict[str, Any] = anyio.run(_run)
    return result
