"""A call its replica let go because Redis did not answer within its lease (docs/deployment.md:
"Should Redis be away for every replica, the calls are without their tools too, until a
replica adopts them again once it is back") is adopted again once Redis is back. The call let
go (``moved``) keeps its claim to run out: released as ended, it was unlisted and marked
``ended:`` when Redis came back, and never adopted."""

from __future__ import annotations

import contextlib
import os
import signal
import uuid
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
import redis.asyncio

from rtagents.calls import CallServer
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import redis_server, serve_asgi
from tests.calls.harness import SECRET, redis_replica

pytestmark = pytest.mark.anyio
LEASE_S = 1.5


@contextlib.contextmanager
def stoppable_redis(folder: Path) -> Iterator[tuple[str, int]]:
    import redis as sync_redis

    with redis_server(folder) as url:
        pid = int(sync_redis.Redis.from_url(url).info("server")["process_id"])
        try:
            yield url, pid
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


async def test_a_call_let_go_while_redis_was_away_is_adopted_once_it_is_back(
    tmp_path: Path,
) -> None:
    prefix = f"review-{uuid.uuid4().hex[:8]}"
    with stoppable_redis(tmp_path) as (url, pid):
        async with Emulator(model=ScriptedModel([], then="Hello.")) as emu:

            def replica(name: str) -> CallServer:
                return redis_replica(emu, url, name, prefix, LEASE_S)

            a, b = replica("a"), replica("b")
            async with serve_asgi(a) as url_a, serve_asgi(b):
                call_id = emu.place_call(f"{url_a}/openai/webhook", SECRET)
                with anyio.fail_after(10):
                    while not (call_id in a.calls and a.calls[call_id].session is not None):
                        await anyio.sleep(0.02)
                os.kill(pid, signal.SIGSTOP)  # Redis away, for every replica
                try:
                    with anyio.fail_after(LEASE_S * 2 + 3):  # a lets the call go in its lease
                        while a.calls[call_id].state != "moved":
                            await anyio.sleep(0.02)
                finally:
                    os.kill(pid, signal.SIGCONT)  # Redis is back
                # Within a few rounds a replica adopts the call again.
                with anyio.move_on_after(LEASE_S * 3):
                    while not any(
                        app.calls.get(call_id) is not None
                        and app.calls[call_id].state == "active"
                        and app.calls[call_id].session is not None
                        for app in (a, b)
                    ):
                        await anyio.sleep(0.05)
                client = redis.asyncio.Redis.from_url(url, decode_responses=True)
                holder = await client.get(f"{prefix}:call:{call_id}")
                listed = await client.hexists(f"{prefix}:live", call_id)
                await client.aclose()
                status = emu.desk.calls[call_id].status
                states = (a.calls[call_id].state, b.calls.get(call_id) and b.calls[call_id].state)
    assert status == "accepted"  # the call is still up at OpenAI
    assert states[0] == "active" or states[1] == "active", (
        f"no replica runs the call once Redis is back: states {states}, claim {holder!r}, "
        f"listed {listed}"
    )
