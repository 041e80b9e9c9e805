"""``RedisRegistry.accepted`` now gives up on the listing after 2 s and logs
``"listing call %s failed: %s", call_id, exc or "timed out"``: but an exception is always
true, and ``str(TimeoutError())`` is empty, so the operator reads "listing call rtc_... failed: "
with no reason (the "timed out" the change meant to say never shows)."""

from __future__ import annotations

import logging
import os
import signal
import uuid
from pathlib import Path

import anyio
import pytest

import rtagents
from rtagents.calls import CallServer, IncomingCall
from rtagents.calls.registry_redis import RedisRegistry
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import serve_asgi
from tests.calls.test_redis_stalled import stoppable_redis

pytestmark = pytest.mark.anyio
SECRET = "whsec_" + "c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cw=="


async def test_a_listing_that_timed_out_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="rtagents.calls.registry")
    with stoppable_redis(tmp_path) as (url, process):

        def route(call: IncomingCall) -> rtagents.Agent:
            os.kill(process.pid, signal.SIGSTOP)  # Redis stalls right after the claim
            return rtagents.Agent(name="desk")

        async with Emulator(model=ScriptedModel([])) as emu:
            registry = RedisRegistry(url, replica="a", prefix=f"r-{uuid.uuid4().hex[:6]}")
            app = CallServer(
                route=route,
                webhook_secret=SECRET,
                api_key="sk-x",
                base_url=emu.http_url,
                registry=registry,
                drain_timeout=0,
            )
            async with serve_asgi(app) as base:
                try:
                    call_id = emu.place_call(f"{base}/openai/webhook", SECRET)
                    with anyio.move_on_after(6):
                        while not (call_id in app.calls and app.calls[call_id].session):
                            await anyio.sleep(0.05)
                finally:
                    os.kill(process.pid, signal.SIGCONT)
    [line] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("listing call")]
    assert line == f"listing call {call_id} failed: timed out"
