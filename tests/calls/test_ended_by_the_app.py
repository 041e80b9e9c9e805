"""A call the app ends (it hangs up, or transfers the caller) is ended, not failed, however
the server then closes the call's sideband: a server may cut the connection rather than
close it, and the session's reconnect then finds the call gone (404)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents.calls import CallServer
from rtagents.emulator import Emulator
from rtagents.testing import serve_asgi

from .test_phone_calls import phone_app, place_weather_call

pytestmark = pytest.mark.anyio


async def _ending(app: CallServer, call_id: str, how: str) -> None:
    if how == "hangup":
        await app.hangup(call_id)
    else:
        await app.transfer(call_id, "tel:+15550000")


@pytest.mark.parametrize(("how", "reason"), [("hangup", "hung up"), ("transfer", "transferred")])
async def test_a_call_the_app_ends_is_ended_when_the_server_cuts_its_sideband(
    how: str, reason: str
) -> None:
    async with Emulator() as emu:
        app = phone_app(emu, agent=rtagents.Agent(name="desk"))
        async with serve_asgi(app) as url:
            call_id = await place_weather_call(emu, url)
            with anyio.fail_after(10):
                while (record := app.calls.get(call_id)) is None or record.session is None:
                    await anyio.sleep(0.01)
            call = emu.desk.calls[call_id]

            def cut(why: str) -> Any:  # the call's end cuts the sideband (1011, an error)
                for sideband in call._sidebands:
                    sideband.drop(1011, why)

            call.hang_up = cut  # type: ignore[method-assign]
            await _ending(app, call_id, how)
            with anyio.fail_after(20):
                while app.calls[call_id].state == "active":
                    await anyio.sleep(0.01)
            assert (app.calls[call_id].state, app.calls[call_id].reason) == ("ended", reason)
