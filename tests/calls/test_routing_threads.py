"""Sync routers run in "threads of their own", at most ``ROUTING_THREADS`` (256) "at once"
(routing.py). But a router past ``route_timeout`` is abandoned (``abandon_on_cancel``):
its limiter slot is given back while its thread runs on, so the next call starts another
thread. With a lookup that hangs (a CRM that stops answering) every call leaves one more
thread behind, without bound: the cap the limiter states holds only for routers within
their timeout. (Before the change anyio's shared 40 threads were the bound: calls rang,
but threads did not grow.) The cap is lowered to 4 here, to show it with three waves of 4 calls."""

from __future__ import annotations

import threading

import anyio
import pytest

import rtagents
import rtagents.calls.routing as routing
from rtagents.calls import CallServer, IncomingCall
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import serve_asgi

pytestmark = pytest.mark.anyio
SECRET = "whsec_" + "c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cw=="


async def test_routers_past_their_timeout_stay_within_the_routing_threads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(routing, "ROUTING_THREADS", 4)
    release = threading.Event()
    lock = threading.Lock()
    running = [0]
    most = [0]

    def route(call: IncomingCall) -> rtagents.Agent:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            release.wait(30)  # the CRM does not answer
        finally:
            with lock:
                running[0] -= 1
        return rtagents.Agent(name="late")

    async with Emulator(model=ScriptedModel([])) as emu:
        app = CallServer(
            route=route,
            webhook_secret=SECRET,
            api_key="sk-x",
            base_url=emu.http_url,
            route_timeout=0.3,
            drain_timeout=0,
        )
        try:
            async with serve_asgi(app) as url:
                for _ in range(3):  # calls come in waves, each refused after route_timeout
                    ids = [emu.place_call(f"{url}/openai/webhook", SECRET) for _ in range(4)]
                    with anyio.fail_after(15):
                        while not all(emu.desk.calls[c].status == "rejected" for c in ids):
                            await anyio.sleep(0.05)
                at_once = most[0]
        finally:
            release.set()
    assert at_once <= 4, f"{at_once} sync routers ran at once (threads left behind)"
