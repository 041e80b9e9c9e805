"""The calls' REST client reaches an emulator on loopback directly, whatever proxy the
environment names (``HTTP_PROXY``): the app's calls work against the local emulator on a
machine that proxies the rest of the world. One rule says what this machine is
(``_hosts.loopback``: 127.0.0.0/8 and ``localhost``), for the websocket and the REST client
alike."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents._hosts import loopback
from rtagents.calls import CallsAPI, CallsAPIError
from rtagents.emulator import Emulator

pytestmark = pytest.mark.anyio


async def hangup_status(base_url: str) -> int | None:
    """What the emulator at ``base_url`` answers a hangup of a call it does not have."""
    api = CallsAPI(None, base_url, retries=0)
    try:
        with pytest.raises(CallsAPIError) as refused:
            await api.hangup("rtc_abc123")
    finally:
        await api.aclose()
    return refused.value.status


@pytest.mark.usefixtures("dead_proxy")
async def test_the_calls_api_reaches_the_local_emulator_directly() -> None:
    async with Emulator() as emu:
        assert await hangup_status(emu.http_url) == 404  # the emulator itself says so


@pytest.mark.usefixtures("dead_proxy")
async def test_an_emulator_on_127_0_0_2_is_reached_directly_by_both() -> None:
    assert loopback("127.0.0.2")
    async with Emulator(host="127.0.0.2") as emu:
        with anyio.fail_after(10):  # the websocket: direct (loopback says so)
            async with rtagents.connect(rtagents.Agent(name="a"), url=emu.url, reconnect=None):
                pass
        assert await hangup_status(emu.http_url) == 404
