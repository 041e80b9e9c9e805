"""Adoption across replicas sharing Redis: a call one let go of is taken back when its new
holder dies (its old ``moved`` record is no bar), a replica never gives away a call it
still runs, nor keeps one it hands over while it drains, and an old task's end never
releases the claim of the call taken back."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import uuid
from typing import Any

import anyio
import pytest
import redis.asyncio

import rtagents
from rtagents.calls import CallServer
from rtagents.calls.registry_redis import RedisRegistry
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.testing import serve_asgi

pytestmark = pytest.mark.anyio
SECRET = "whsec_" + "c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cw=="


async def until(condition: Any, timeout: float = 10) -> None:
    with anyio.fail_after(timeout):
        while not condition():
            await anyio.sleep(0.02)


def open_sidebands(emu: Emulator, call_id: str) -> list[Any]:
    return [c for c in emu.desk.calls[call_id]._sidebands if not c.closed.is_set()]


async def test_a_call_let_go_is_adopted_back_when_its_new_holder_dies(redis_url: str) -> None:
    prefix = f"review-{uuid.uuid4().hex[:8]}"
    async with Emulator(model=ScriptedModel([])) as emu:
        app = CallServer(
            agent=rtagents.Agent(name="desk"),
            webhook_secret=SECRET,
            api_key="sk-x",
            base_url=emu.http_url,
            registry=RedisRegistry(redis_url, replica="a", prefix=prefix, lease_s=0.9),
            drain_timeout=0,
        )
        async with serve_asgi(app) as url:
            call_id = emu.place_call(f"{url}/openai/webhook", SECRET)
            await until(lambda: call_id in app.calls and app.calls[call_id].session is not None)
            client = redis.asyncio.from_url(redis_url, decode_responses=True)
            key = f"{prefix}:call:{call_id}"
            try:
                # Replica "b" took the call over (this one was cut off past its lease) ...
                await client.set(key, "b", px=60_000)
                await until(lambda: app.calls[call_id].state == "moved", timeout=5)
                await until(lambda: not open_sidebands(emu, call_id), timeout=5)
                # ... and then "b" dies: its lease runs out, the call is still listed.
                await client.delete(key)
                assert await client.hexists(f"{prefix}:live", call_id)
                # The only replica left should take it over (within lease * 4/3).
                await until(
                    lambda: app.calls[call_id].state == "active" and open_sidebands(emu, call_id),
                    timeout=4,
                )
            finally:
                await client.aclose()


async def test_a_replica_never_gives_away_its_own_running_call(redis_url: str) -> None:
    """One renewal of a running call fails (Redis dropped the connection just then) after
    its lease ran out, and the same round's look for orphaned calls finds it: the replica
    "adopts" its own call, ``_adopt`` refuses it (it is in ``app.calls``), and the registry
    gives the claim back and stops renewing it, while the call's sideband runs on here.
    Another replica then adopts it: the call has two sidebands running its tools."""
    from rtagents.calls.registry_scripts import KEEP

    prefix = f"review-{uuid.uuid4().hex[:8]}"

    def replica(name: str, emu: Emulator) -> CallServer:
        return CallServer(
            agent=rtagents.Agent(name="desk"),
            webhook_secret=SECRET,
            api_key="sk-x",
            base_url=emu.http_url,
            registry=RedisRegistry(redis_url, replica=name, prefix=prefix, lease_s=0.9),
            drain_timeout=0,
        )

    async with Emulator(model=ScriptedModel([])) as emu:
        a = replica("a", emu)
        async with serve_asgi(a) as url:
            call_id = emu.place_call(f"{url}/openai/webhook", SECRET)
            await until(lambda: call_id in a.calls and a.calls[call_id].session is not None)
            registry = a.registry
            evaluate = registry._client.eval  # type: ignore[attr-defined]
            failed_once: list[bool] = []

            async def flaky(script: str, keys: int, *args: Any) -> Any:
                if script == KEEP and not failed_once:
                    failed_once.append(True)
                    await client.pexpire(f"{prefix}:call:{call_id}", 1)  # the lease ran out
                    await anyio.sleep(0.01)
                    raise redis.ConnectionError("Connection reset by peer")
                return await evaluate(script, keys, *args)

            client = redis.asyncio.from_url(redis_url, decode_responses=True)
            registry._client.eval = flaky  # type: ignore[attr-defined]
            try:
                await until(lambda: failed_once, timeout=3)
                await anyio.sleep(1.0)  # a few rounds more
                claim = await client.get(f"{prefix}:call:{call_id}")
                assert a.calls[call_id].state == "active" and open_sidebands(emu, call_id)
                b = replica("b", emu)
                async with serve_asgi(b):
                    await anyio.sleep(1.5)  # b's rounds look for orphaned calls
                    sidebands = len(open_sidebands(emu, call_id))
                    holders = [
                        x.registry.replica
                        for x in (a, b)  # type: ignore[attr-defined]
                        if call_id in x.calls and x.calls[call_id].state == "active"
                    ]
                assert (claim, sidebands, holders) == ("a", 1, ["a"])
            finally:
                registry._client.eval = evaluate  # type: ignore[attr-defined]
                await client.aclose()


# A replica lets a call go (another replica took its claim: ``lost``, its record ``moved``)
# and, while that call's old task is still finishing (its session waits for a tool that is
# still running), takes the same call back (that other replica died). The old task's end
# must not release the registry's claim, which is the new task's: the live call would be
# marked ended in Redis, unlisted, and no longer renewed.


async def test_an_old_task_finishing_does_not_release_the_adopted_calls_claim(
    redis_url: str,
) -> None:
    prefix = f"review-{uuid.uuid4().hex[:8]}"
    running = threading.Event()

    @rtagents.tool
    async def look_up(account: str) -> str:
        """Look an account up (it finishes what it started: the old session waits for it
        as it closes, for its shutdown_grace)."""
        running.set()
        done = time.monotonic() + 3
        while time.monotonic() < done:  # a lookup that finishes what it started
            with contextlib.suppress(asyncio.CancelledError):  # (it ignores its cancellation)
                await asyncio.sleep(done - time.monotonic())
        return "found"

    model = ScriptedModel([CallFunction("look_up", {"account": "42"}), "Done."])
    agent = rtagents.Agent(name="desk", tools=[look_up])
    async with Emulator(model=model) as emu:
        registry = RedisRegistry(redis_url, replica="a", prefix=prefix, lease_s=0.9)
        app = CallServer(
            agent=agent,
            webhook_secret=SECRET,
            api_key="sk-x",
            base_url=emu.http_url,
            registry=registry,
            drain_timeout=0,
        )
        client = redis.asyncio.from_url(redis_url, decode_responses=True)
        try:
            async with serve_asgi(app) as url:
                call_id = emu.place_call(f"{url}/openai/webhook", SECRET, say=["Account 42?"])
                key = f"{prefix}:call:{call_id}"
                await until(lambda: running.is_set())
                old = app.calls[call_id]
                # Replica "b" took the call over (this one was cut off past its lease) ...
                await client.set(key, "b", px=60_000)
                await until(lambda: old.state == "moved", timeout=5)
                # ... and dies at once: the call is still listed, its claim gone.
                await client.delete(key)
                await until(
                    lambda: app.calls[call_id] is not old and app.calls[call_id].state == "active",
                    timeout=5,
                )
                # The old task is still finishing: it has not reached ``_finished`` yet.
                assert call_id not in app._lifecycle._ended  # type: ignore[attr-defined]
                await anyio.sleep(3.5)  # the old task has finished by now (its tool: 3 s)
                record = app.calls[call_id]
                claim = await client.get(key)
                listed = await client.hexists(f"{prefix}:live", call_id)
                renewed = call_id in registry._owned  # type: ignore[attr-defined]
                assert record.state == "active"
                assert (claim, listed, renewed) == ("a", True, True)
        finally:
            await client.aclose()


# A draining replica hands a call over: ``hand_over`` gives its claim back (the call stays
# listed), and only then is the record marked ``moved``. Its own round that looks for
# orphaned calls may land in between and claim the call: a draining replica must not keep it
# (its session is closed), or no other replica could adopt it for a whole lease.


async def test_a_draining_replica_does_not_adopt_the_call_it_is_handing_over(
    redis_url: str,
) -> None:
    prefix = f"review-{uuid.uuid4().hex[:8]}"
    async with Emulator(model=ScriptedModel([])) as emu:
        registry = RedisRegistry(redis_url, replica="a", prefix=prefix, lease_s=30)
        app = CallServer(
            agent=rtagents.Agent(name="desk"),
            webhook_secret=SECRET,
            api_key="sk-x",
            base_url=emu.http_url,
            registry=registry,
            drain_timeout=0,
        )
        give_back = registry._give_back  # type: ignore[attr-defined]
        adopted_in_window: list[bool] = []

        async def give_back_then_a_round(call_id: str, info: str) -> None:
            await give_back(call_id, info)
            # The replica's own look for orphaned calls lands here (it runs every lease/3,
            # concurrently with the drain): the call is listed, and no longer claimed.
            if not adopted_in_window:
                adopted_in_window.append(True)
                await registry._adopt()  # type: ignore[attr-defined]
                await anyio.sleep(0.05)  # its _take_over task runs

        registry._give_back = give_back_then_a_round  # type: ignore[attr-defined]
        client = redis.asyncio.from_url(redis_url, decode_responses=True)
        try:
            async with serve_asgi(app) as url:
                call_id = emu.place_call(f"{url}/openai/webhook", SECRET)
                await until(lambda: call_id in app.calls and app.calls[call_id].session is not None)
                await app.drain(0)
                record = app.calls[call_id]
                claim = await client.get(f"{prefix}:call:{call_id}")
                kept = call_id in registry._owned  # type: ignore[attr-defined]
                assert adopted_in_window
                assert record.state == "moved"
                # Handed over: no claim, for another replica's next round to take it.
                assert (claim, kept) == (None, False)
        finally:
            await client.aclose()
