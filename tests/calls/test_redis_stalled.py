"""A Redis that stops answering (a network partition, a stopped container: the connection stays
open, no reply comes) holds no call up for long. Each Redis command that something waits on is
bounded: the claim (5 s), the readiness check and a call's listing (2 s each), and a command
forwarded to another replica (``command_timeout`` plus 2 s). redis-py alone bounds a command
only by its socket timeout times its retries (5 s x 4, about 20 s, measured). Without these
bounds, a supervisor's command for a call on another replica would take ~20 s with
``command_timeout=1`` and then raise redis' own ``TimeoutError``. A call accepted while Redis
stalls would have no sideband (no tools) for those ~20 s while its listing waited."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.calls import CallServer, IncomingCall
from rtagents.calls.registry import CallNotFound, CallOwnerGone
from rtagents.calls.registry_redis import RedisRegistry
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import redis_server, serve_asgi

pytestmark = pytest.mark.anyio
SECRET = "whsec_" + "c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cw=="


@contextlib.contextmanager
def stoppable_redis(folder: Path) -> Iterator[tuple[str, int]]:
    """A real Redis (``redis_server``) and its process id, to stall it (``SIGSTOP``: the
    connection stays open, no reply comes); it goes on again at the end."""
    import redis

    with redis_server(folder) as url:
        pid = int(redis.Redis.from_url(url).info("server")["process_id"])
        try:
            yield url, pid
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


@contextlib.asynccontextmanager
async def stalled_after_claim(folder: Path) -> AsyncIterator[tuple[Emulator, CallServer, str, int]]:
    """A CallServer on a real Redis that stops answering (SIGSTOP) right after a call's claim,
    as its router runs: the emulator, the app, its URL and Redis's pid (SIGCONT it)."""
    with stoppable_redis(folder) as (url, pid):

        def route(call: IncomingCall) -> rtagents.Agent:
            os.kill(pid, signal.SIGSTOP)  # Redis stalls right after the claim
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
                yield emu, app, base, pid


async def test_a_command_forwarded_while_redis_stalls_is_bounded(tmp_path: Path) -> None:
    """``app.hangup`` of a call held by no process here: with Redis stalled it should fail
    (``CallOwnerGone``/``CallNotFound``/a registry error) within about ``command_timeout``,
    as the docs promise, not ~20 s."""
    with stoppable_redis(tmp_path) as (url, pid):
        async with Emulator(model=ScriptedModel([])) as emu:
            registry = RedisRegistry(
                url, replica="a", prefix=f"r-{uuid.uuid4().hex[:6]}", command_timeout=1.0
            )
            app = CallServer(
                agent=rtagents.Agent(),
                webhook_secret=SECRET,
                api_key="sk-x",
                base_url=emu.http_url,
                registry=registry,
                drain_timeout=0,
            )
            async with serve_asgi(app):
                os.kill(pid, signal.SIGSTOP)
                try:
                    outcome: Any = "no answer in 5 s"
                    with anyio.move_on_after(5):
                        try:
                            await app.hangup("rtc_elsewhere")
                            outcome = "returned"
                        except (CallOwnerGone, CallNotFound, Exception) as exc:
                            outcome = exc
                finally:
                    os.kill(pid, signal.SIGCONT)
                assert isinstance(outcome, Exception), outcome


async def test_a_call_accepted_as_redis_stalls_gets_its_sideband(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The claim is made; then Redis stops answering (the router runs meanwhile). The call
    is accepted; its listing is best effort ("Redis away: the next renewal lists it"), so
    its sideband should still connect, not wait ~20 s on Redis (the claim gives up after 5),
    and the log says why the listing failed."""
    caplog.set_level(logging.WARNING, logger="rtagents.calls.registry")
    async with stalled_after_claim(tmp_path) as (emu, app, base, pid):
        try:
            call_id = emu.place_call(f"{base}/openai/webhook", SECRET)
            with anyio.move_on_after(6):
                while not (call_id in app.calls and app.calls[call_id].session):
                    await anyio.sleep(0.05)
            record = app.calls.get(call_id)
            status = emu.desk.calls[call_id].status
            has_session = record is not None and record.session is not None
        finally:
            os.kill(pid, signal.SIGCONT)
        assert status == "accepted"
        assert has_session, f"accepted, but no sideband after 6 s: {record}"
    [line] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("listing call")]
    assert line == f"listing call {call_id} failed: timed out"
