"""``app.hangup(call_id)`` on a call this process holds, still ringing (its router is
deciding), raises ``CallNotFound`` ("is ringing, not active"), and the call then goes on:
it is answered and runs as if nobody had asked to end it.

docs/deployment.md: "A call that no replica holds, or that has ended, raises
``CallNotFound``". This call is held (it is in ``app.calls``, claimed by this replica)
and has not ended. A supervisor who hangs up a call as it rings should see it end (rejected,
or hung up once answered), or at least get an error that says the call cannot be ended yet;
not "not found" for a call that is then answered. The fault is in
``Supervision.execute`` (supervision.py): anything but ``active`` is "not found"."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents.calls import CallServer, IncomingCall
from rtagents.calls.registry import CallNotFound
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import serve_asgi
from tests.calls.harness import SECRET

pytestmark = pytest.mark.anyio


async def test_a_supervisor_hangs_up_a_call_that_is_still_ringing() -> None:
    agent = rtagents.Agent(name="desk")

    async def route(call: IncomingCall) -> rtagents.Agent:
        await anyio.sleep(1.0)  # a CRM lookup
        return agent

    async with Emulator(model=ScriptedModel([], then="Hello.")) as emu:
        app = CallServer(
            route=route,
            webhook_secret=SECRET,
            api_key="sk-x",
            base_url=emu.http_url,
            drain_timeout=0,
        )
        async with serve_asgi(app) as url:
            call_id = emu.place_call(f"{url}/openai/webhook", SECRET)
            with anyio.fail_after(10):
                while call_id not in app.calls:
                    await anyio.sleep(0.01)
            assert app.calls[call_id].state == "ringing"
            try:
                await app.hangup(call_id)
            except CallNotFound as exc:
                not_found: str | None = str(exc)
            else:
                not_found = None
            await anyio.sleep(2.0)  # the router decides, and the call goes on
            status = emu.desk.calls[call_id].status
            state = app.calls[call_id].state
    assert not_found is None, (
        f"hanging up a call held here, ringing, raised CallNotFound ({not_found}); the "
        f"call then went on: emulator status {status!r}, record {state!r}"
    )
    assert status in ("rejected", "ended"), (status, state)
