"""Routing, within bounds (``calls/routing.py``): a sync router stuck on a lookup (a CRM
that stops answering) holds up no other call, in threads of the routers' own; one past
``route_timeout`` has its call refused; and routers given up on still count, so that their
threads stay bounded."""

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
STUCK = 40


async def test_calls_stuck_in_routing_do_not_hold_up_other_calls() -> None:
    release = threading.Event()
    desk = rtagents.Agent(name="desk")

    def route(call: IncomingCall) -> rtagents.Agent:
        if call.caller.number == "+15550666":
            release.wait(30)  # the lookup for this number hangs
        return desk

    async with Emulator(model=ScriptedModel([])) as emu:
        app = CallServer(
            route=route,
            webhook_secret=SECRET,
            api_key="sk-x",
            base_url=emu.http_url,
            drain_timeout=0,
        )
        try:
            async with serve_asgi(app) as url:
                hook = f"{url}/openai/webhook"
                stuck = [emu.place_call(hook, SECRET, caller="+15550666") for _ in range(STUCK)]
                with anyio.fail_after(5):
                    while not all(c in app.calls for c in stuck):
                        await anyio.sleep(0.05)
                good = emu.place_call(hook, SECRET, caller="+15550100")
                with anyio.move_on_after(4):
                    while emu.desk.calls[good].status == "ringing":
                        await anyio.sleep(0.05)
                status = emu.desk.calls[good].status
                release.set()
                assert status == "accepted", f"an ordinary call is still {status} after 4 s"
        finally:
            release.set()


async def test_a_router_past_its_route_timeout_has_the_call_refused() -> None:
    """Never left ringing: a router with no answer within ``route_timeout`` fails the call,
    which is refused (and says why)."""
    release = threading.Event()

    def route(call: IncomingCall) -> rtagents.Agent:
        release.wait(30)
        return rtagents.Agent(name="late")

    async with Emulator(model=ScriptedModel([])) as emu:
        app = CallServer(
            route=route,
            webhook_secret=SECRET,
            api_key="sk-x",
            base_url=emu.http_url,
            route_timeout=0.5,
        )
        try:
            async with serve_asgi(app) as url:
                call_id = emu.place_call(f"{url}/openai/webhook", SECRET)
                with anyio.fail_after(5):
                    while emu.desk.calls[call_id].status == "ringing":
                        await anyio.sleep(0.05)
                assert emu.desk.calls[call_id].status == "rejected"
                record = app.calls[call_id]
                assert (record.state, record.reason) == (
                    "failed",
                    "TimeoutError: the router did not decide in 0.5 s",
                )
        finally:
            release.set()


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
