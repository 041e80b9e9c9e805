"""Two replicas sharing one Redis server: what the shared registry adds.

- Claims: 200 calls whose webhook is delivered to both replicas at once; each must be
  accepted exactly once. Reported: place-to-accept p50/p99, against the same calls on one
  replica with the in-process registry, in the same run.
- Control: a command (``say``) sent to the replica that holds the call, and to the other
  one (forwarded over Redis pub/sub, answered through a list): p50/p99 of each, and what
  forwarding adds.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from collections.abc import AsyncIterator
from typing import Any

import anyio

import rtagents
from rtagents.calls import CallServer
from rtagents.calls.registry_redis import RedisRegistry
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import fan_out, redis_server, serve_asgi

from ._stats import summary

CALLS = 200  # each delivered to both replicas
COMMANDS = 200
SECRET = "whsec_" + "YmVuY2htYXJrLXNpZ25pbmcta2V5LTAwMDAwMA=="


@contextlib.asynccontextmanager
async def _served(apps: list[CallServer]) -> AsyncIterator[str]:
    async with contextlib.AsyncExitStack() as stack:
        urls = [await stack.enter_async_context(serve_asgi(app)) for app in apps]
        relay = await stack.enter_async_context(
            serve_asgi(fan_out([f"{u}/openai/webhook" for u in urls]))
        )
        yield relay + "/"


async def _one_at_a_time(emu: Emulator, hook: str, count: int = 30) -> list[float]:
    took = []
    for _ in range(count):
        call = emu.desk.calls[emu.place_call(hook, SECRET)]
        with anyio.fail_after(10):
            while call.accepted_at is None:
                await anyio.sleep(0.001)
        took.append(call.accepted_at - call.placed_at)
    return took


async def _accept_all(
    emu: Emulator, apps: list[CallServer], hook: str
) -> tuple[list[float], list[str]]:
    ids = [emu.place_call(hook, SECRET) for _ in range(CALLS)]
    with anyio.fail_after(120):
        while not all(any(c in app.calls and app.calls[c].session for app in apps) for c in ids):
            await anyio.sleep(0.02)
    calls = [emu.desk.calls[c] for c in ids]
    return [c.accepted_at - c.placed_at for c in calls if c.accepted_at], ids


async def _run(redis_url: str) -> dict[str, Any]:
    agent = rtagents.Agent(name="replica", output_modalities=["text"])
    async with Emulator(model=ScriptedModel([], then="ok."), record=0) as emu:

        def server(registry: Any = None) -> CallServer:
            return CallServer(
                agent=agent,
                webhook_secret=SECRET,
                api_key="-",
                base_url=emu.http_url,
                registry=registry,
                drain_timeout=0,
            )

        single = [server()]
        async with _served(single) as hook:
            alone = await _one_at_a_time(emu, hook)
            burst_alone, _ = await _accept_all(emu, single, hook)
        shared = [server(RedisRegistry(redis_url, replica=n, prefix="bench")) for n in "ab"]
        async with _served(shared) as hook:
            doubled = await _one_at_a_time(emu, hook)
            burst_doubled, ids = await _accept_all(emu, shared, hook)
            accepts = [emu.desk.calls[c].accept_requests for c in ids]
            local: list[float] = []
            forwarded: list[float] = []
            for call_id in ids[:COMMANDS]:
                owner = next(a for a in shared if call_id in a.calls)
                other = next(a for a in shared if a is not owner)
                for app, into in ((owner, local), (other, forwarded)):
                    started = time.perf_counter()
                    await app.say(call_id, "hello")
                    into.append(time.perf_counter() - started)
    alone_ms, doubled_ms = summary(alone, 1e3), summary(doubled, 1e3)
    burst_alone_ms, burst_doubled_ms = summary(burst_alone, 1e3), summary(burst_doubled, 1e3)
    local_ms, forwarded_ms = summary(local, 1e3), summary(forwarded, 1e3)
    return {
        "calls": CALLS,
        "accepted_exactly_once": sum(1 for n in accepts if n == 1),
        "accepted_twice_or_more": sum(1 for n in accepts if n > 1),
        "one_at_a_time_place_to_accept_ms_one_replica": alone_ms,
        "one_at_a_time_place_to_accept_ms_two_replicas_doubled": doubled_ms,
        "claim_added_ms_p50": round(doubled_ms["median"] - alone_ms["median"], 3),
        "burst_of_200_place_to_accept_ms_one_replica": burst_alone_ms,
        "burst_of_200_place_to_accept_ms_two_replicas_doubled": burst_doubled_ms,
        "note": "all replicas, the relay and the emulator share one process here: a doubled "
        "burst is twice the webhook work on the same core",
        "command_ms_on_owner": local_ms,
        "command_ms_forwarded_from_other_replica": forwarded_ms,
        "forwarding_added_ms_p50": round(forwarded_ms["median"] - local_ms["median"], 3),
    }


def run() -> dict[str, Any]:
    with (
        tempfile.TemporaryDirectory() as folder,
        redis_server(__import__("pathlib").Path(folder)) as url,
    ):
        result: dict[str, Any] = anyio.run(_run, url)
    return result
