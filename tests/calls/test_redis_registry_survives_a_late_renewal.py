"""The registry's renewal beat (``RedisRegistry._renew``) sleeps until its next
round with ``anyio.sleep(due - anyio.current_time())`` after ``due = max(due + period,
anyio.current_time())``. When a round ran late (Redis slow to answer for more than a third
of the lease: a partition, a failover, a busy Redis, a stopped container), ``due`` is the
clock read a moment before, and the delay is a hair below zero: anyio's ``sleep`` raises
``ValueError("delay must be a non-negative number")``. That error ends the registry's task
group, which is the CallServer's outer task group: the app's lifespan crashes (logged by
uvicorn as an ERROR), every SIP call running in the app's task group is cancelled, and no
claim is renewed any more, so other replicas adopt calls this one still runs.

Real parts: a real redis-server stopped for a second (``SIGSTOP``, then ``SIGCONT``), a
CallServer under uvicorn with a call placed by the emulator over SIP."""

from __future__ import annotations

import os
import signal
import uuid
from pathlib import Path

import anyio
import httpx2
import pytest

import rtagents
from rtagents.calls import CallServer
from rtagents.calls.registry_redis import RedisRegistry
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import serve_asgi
from tests.calls.harness import SECRET
from tests.calls.test_redis_stalled import stoppable_redis

pytestmark = pytest.mark.anyio


async def test_a_renewal_round_that_ran_late_does_not_end_the_registry(tmp_path: Path) -> None:
    with stoppable_redis(tmp_path) as (url, pid):
        async with Emulator(model=ScriptedModel([], then="Hello.")) as emu:
            # A lease of 3 s: a round every 1 s (the default, 30 s, beats every 10 s). Redis
            # pauses for less than the lease: no claim runs out.
            registry = RedisRegistry(
                url, replica="a", prefix=f"r-{uuid.uuid4().hex[:6]}", lease_s=3.0
            )
            app = CallServer(
                agent=rtagents.Agent(name="desk"),
                webhook_secret=SECRET,
                api_key="sk-x",
                base_url=emu.http_url,
                registry=registry,
                drain_timeout=0,
            )
            async with serve_asgi(app) as base, httpx2.AsyncClient(base_url=base) as http:
                call_id = emu.place_call(f"{base}/openai/webhook", SECRET)
                with anyio.fail_after(10):
                    while not (call_id in app.calls and app.calls[call_id].session):
                        await anyio.sleep(0.05)
                os.kill(pid, signal.SIGSTOP)  # Redis answers nothing for 2 s...
                await anyio.sleep(2.0)
                os.kill(pid, signal.SIGCONT)  # ...then everything it was asked
                await anyio.sleep(2.5)  # a few rounds of renewals after it
                state, reason = app.calls[call_id].state, app.calls[call_id].reason
                ready = (await http.get("/readyz")).status_code
                emulator_says = emu.desk.calls[call_id].status
    assert (state, emulator_says, ready) == ("active", "accepted", 200), (
        f"after Redis paused for 2 s: the call is {state} ({reason}; {emulator_says} at the API), "
        f"readiness {ready}"
    )
