"""The calls' REST client reaches an emulator on loopback directly, whatever proxy the
environment names (``HTTP_PROXY``): the app's calls work against the local emulator on a
machine that proxies the rest of the world."""

from __future__ import annotations

import pytest

from rtagents.calls import CallsAPI, CallsAPIError
from rtagents.emulator import Emulator

pytestmark = pytest.mark.anyio


async def test_the_calls_api_reaches_the_local_emulator_directly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    async with Emulator() as emu:
        api = CallsAPI(None, emu.http_url, retries=0)
        try:
            with pytest.raises(CallsAPIError) as refused:
                await api.hangup("rtc_abc123")  # no such call: the emulator itself says so
        finally:
            await api.aclose()
    assert refused.value.status == 404, str(refused.value)
