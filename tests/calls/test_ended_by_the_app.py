"""A call the app ends (it hangs up, or transfers the caller) is ended, not failed, however
the server then closes the call's sideband: a server may cut the connection rather than
close it, and the session's reconnect then finds the call gone (404). A request the API
refused, or took long before, ended nothing: a sideband lost then fails the call."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents.calls import CallServer, sideband
from rtagents.calls.control import IncomingCall
from rtagents.calls.rest import CallsAPIError
from rtagents.emulator import Emulator
from rtagents.testing import serve_asgi

from .test_phone_calls import phone_app, place_weather_call

pytestmark = pytest.mark.anyio


async def _call_with_its_sideband(emu: Emulator, app: CallServer, url: str) -> str:
    call_id = await place_weather_call(emu, url)
    with anyio.fail_after(10):
        while (record := app.calls.get(call_id)) is None or record.session is None:
            await anyio.sleep(0.01)
    return call_id


def _cut(emu: Emulator, call_id: str, why: str) -> None:
    """The server cuts the call's sideband (1011, an error), not a close."""
    for conn in emu.desk.calls[call_id]._sidebands:
        conn.drop(1011, why)


async def _over(app: CallServer, call_id: str) -> tuple[str, str | None]:
    with anyio.fail_after(20):
        while app.calls[call_id].state == "active":
            await anyio.sleep(0.01)
    return app.calls[call_id].state, app.calls[call_id].reason


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
            call_id = await _call_with_its_sideband(emu, app, url)
            call = emu.desk.calls[call_id]
            call.hang_up = lambda why: _cut(emu, call_id, why)  # type: ignore[assignment]
            await _ending(app, call_id, how)
            assert await _over(app, call_id) == ("ended", reason)


async def test_a_hang_up_the_api_refused_ended_nothing_and_a_lost_sideband_fails_the_call() -> None:
    async with Emulator() as emu:
        app = phone_app(emu, agent=rtagents.Agent(name="desk"))
        async with serve_asgi(app) as url:
            call_id = await _call_with_its_sideband(emu, app, url)

            async def refused(_: str) -> None:
                emu.desk.calls[call_id].status = "ended"  # its reconnect will find no call
                _cut(emu, call_id, "cut")
                await anyio.sleep(0.3)  # the session ends while the request is out
                raise CallsAPIError("hanging up: HTTP 500", status=500)

            app.api.hangup = refused  # type: ignore[method-assign,assignment]
            with pytest.raises(CallsAPIError):
                await app.hangup(call_id)
            state, reason = await _over(app, call_id)
    assert state == "failed" and reason is not None and "SessionLost" in reason


class _API:
    def __init__(self, fails: bool = False) -> None:
        self.fails = fails

    async def refer(self, call_id: str, target_uri: str) -> None:
        if self.fails:
            raise CallsAPIError("transferring: HTTP 500", status=500)


async def test_only_a_request_the_api_took_a_moment_ago_explains_a_lost_sideband(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def sideband_of(api: _API) -> sideband.SidebandCall:
        call = IncomingCall("rtc_1", source="sip")
        return sideband.SidebandCall(call, api, "ws://x", None)  # type: ignore[arg-type]

    nothing_asked = sideband_of(_API())
    assert await nothing_asked.ending() is None
    taken = sideband_of(_API())
    await taken._transfer_here("tel:+1555")
    assert await taken.ending() == "transferred"
    refused = sideband_of(_API(fails=True))
    with pytest.raises(CallsAPIError):
        await refused._transfer_here("tel:+1555")
    assert await refused.ending() is None
    monkeypatch.setattr(sideband, "ENDING_GRACE", 0.05)  # the transfer failed at the far end,
    await anyio.sleep(0.1)  # and the call went on: a later loss is a failure
    assert await taken.ending() is None
