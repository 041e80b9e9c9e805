"""An async router that shields its lookup decides only past ``route_timeout``; one whose
lookup was cancelled elsewhere (a shared single-flight future) raises a ``CancelledError`` of
its own. Either way the call is refused, at once for the first (it is never answered with the
late agent), and says why: never left ringing, never a task that ends as cancelled."""

from __future__ import annotations

import asyncio
import time

import anyio
import pytest

import rtagents
from rtagents.calls import CallServer, IncomingCall
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import serve_asgi

pytestmark = pytest.mark.anyio
SECRET = "whsec_" + "c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cw=="
TIMEOUT = 0.3


async def shielded_late(call: IncomingCall) -> rtagents.Agent:
    with anyio.CancelScope(shield=True):
        await anyio.sleep(TIMEOUT * 4)  # a lookup that must not be cut half-way
    return rtagents.Agent(name="late")


async def cancelled_elsewhere(call: IncomingCall) -> rtagents.Agent:
    lookup: asyncio.Future[rtagents.Agent] = asyncio.get_running_loop().create_future()
    lookup.cancel()  # the request that started the shared lookup went away
    return await lookup


@pytest.mark.parametrize(
    ("route", "reason"),
    [
        (shielded_late, f"TimeoutError: the router did not decide in {TIMEOUT:g} s"),
        (
            cancelled_elsewhere,
            "RuntimeError: the router was cancelled (a CancelledError of its own)",
        ),
    ],
)
async def test_the_call_is_refused_and_says_why(route: object, reason: str) -> None:
    async with Emulator(model=ScriptedModel([])) as emu:
        app = CallServer(
            route=route,  # type: ignore[arg-type]
            webhook_secret=SECRET,
            api_key="sk-x",
            base_url=emu.http_url,
            route_timeout=TIMEOUT,
        )
        async with serve_asgi(app) as url:
            began = time.monotonic()
            call_id = emu.place_call(f"{url}/openai/webhook", SECRET)
            with anyio.fail_after(5):
                while emu.desk.calls[call_id].status == "ringing":
                    await anyio.sleep(0.02)
            took = time.monotonic() - began
            assert emu.desk.calls[call_id].status == "rejected"
            record = app.calls[call_id]
            assert (record.state, record.reason) == ("failed", reason)
            assert took < TIMEOUT * 3  # not held until the shielded lookup ends
            await anyio.sleep(TIMEOUT * 4)  # the late agent, once it comes, answers nothing
            assert emu.desk.calls[call_id].status == "rejected"
            assert app.calls[call_id].state == "failed"
