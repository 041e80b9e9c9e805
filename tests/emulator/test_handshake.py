"""The handshake as the real server does it: the ``realtime`` subprotocol is echoed, and an
emulator started with an API key refuses a wrong one with the real server's 401."""

from __future__ import annotations

import json

import pytest
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import InvalidStatus

import rtagents
from rtagents.emulator import Emulator

pytestmark = pytest.mark.anyio


async def test_the_realtime_subprotocol_is_echoed() -> None:
    async with Emulator() as emu:
        offered = ["realtime", "openai-insecure-api-key.sk-test", "openai-beta.realtime-v1"]
        async with ws_connect(emu.url + "?model=gpt-realtime", subprotocols=offered) as ws:  # type: ignore[arg-type]
            assert ws.subprotocol == "realtime"
            assert json.loads(await ws.recv())["type"] == "session.created"
        async with ws_connect(emu.url) as ws:  # a client that offers none still connects
            assert ws.subprotocol is None


async def test_a_wrong_api_key_is_refused_as_the_real_server_refuses_it() -> None:
    agent = rtagents.Agent(name="k")
    async with Emulator(api_key="sk-right-000000") as emu:
        with pytest.raises(rtagents.ConnectError, match=r"HTTP 401: Incorrect API key provided"):
            async with rtagents.connect(agent, url=emu.url, api_key="sk-wrong-000000"):
                pass
        with pytest.raises(InvalidStatus) as info:
            async with ws_connect(emu.url, additional_headers={"Authorization": "Bearer sk-x"}):
                pass
        body = json.loads(info.value.response.body)
        assert body["error"]["code"] == "invalid_api_key"
        with pytest.raises(InvalidStatus) as info:
            async with ws_connect(emu.url):
                pass
        body = json.loads(info.value.response.body)  # no key: the API's own wording for it
        assert body["error"]["message"].startswith("You didn't provide an API key")
        async with rtagents.connect(agent, url=emu.url, api_key="sk-right-000000") as session:
            assert session.id is not None
        browser = ["realtime", "openai-insecure-api-key.sk-right-000000"]
        async with ws_connect(emu.url, subprotocols=browser) as ws:  # type: ignore[arg-type]
            assert ws.subprotocol == "realtime"
