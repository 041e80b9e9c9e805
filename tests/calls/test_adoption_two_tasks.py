"""A replica lets a call go (another replica took its claim: ``lost``, its record ``moved``)
and, while that call's old task is still finishing (its session waits for a tool that is
still running), adopts the same call back (that other replica died). ``_adopt`` no longer
bars a ``moved`` record, so a second task runs the call, and the old task's ``_finished``
then releases the registry's claim, which is now the new task's: the live call is marked
ended in Redis, unlisted, and no longer renewed (no replica adopts it should this one die;
commands from other replicas are told it has ended)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
import redis.asyncio

import rtagents
from rtagents.calls import CallServer
from rtagents.calls.registry_redis import RedisRegistry
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.testing import redis_server, serve_asgi

pytestmark = pytest.mark.anyio
SECRET = "whsec_" + "c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cw=="


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


async def until(condition: Any, timeout: float = 10) -> None:
    with anyio.fail_after(timeout):
        while not condition():
            await anyio.sleep(0.02)


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
