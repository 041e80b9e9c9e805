"""One rule says what this machine is (``_hosts.loopback``: 127.0.0.0/8, ``*.localhost``, a
trailing dot), for the websocket and the calls' REST client alike: an emulator on 127.0.0.2
is reached directly by both, whatever proxy the environment names."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents._hosts import loopback
from rtagents.calls import CallsAPI, CallsAPIError
from rtagents.emulator import Emulator

pytestmark = pytest.mark.anyio


@pytest.fixture
def dead_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")


@pytest.mark.usefixtures("dead_proxy")
async def test_an_emulator_on_127_0_0_2_is_reached_directly_by_both() -> None:
    assert loopback("127.0.0.2")
    async with Emulator(host="127.0.0.2") as emu:
        with anyio.fail_after(10):  # the websocket: direct (loopback says so)
            async with rtagents.connect(rtagents.Agent(name="a"), url=emu.url, reconnect=None):
                pass
        api = CallsAPI(None, emu.http_url, retries=0)
        try:
            with pytest.raises(CallsAPIError) as refused:
                await api.hangup("rtc_abc123")  # no such call: the emulator itself says so
        finally:
            await api.aclose()
    assert refused.value.status == 404, f"{emu.http_url}: {refused.value}"
