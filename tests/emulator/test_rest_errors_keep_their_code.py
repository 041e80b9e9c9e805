"""The REST routes answer a refused session with the ``code`` the websocket gives the same
refusal: the API's errors are ``{message, type, param, code}`` on both, and the openai SDK
exposes ``code`` (``BadRequestError.code``) for clients to branch on. The emulator's REST
errors always say ``code: null`` (``rest_json.api_error``), though ``session.update`` over
the websocket names the very same mistake ``unknown_parameter`` / ``invalid_value``."""

from __future__ import annotations

from typing import Any

import openai
import pytest
from openai import AsyncOpenAI

from rtagents.emulator import Emulator

from .wire import Wire

pytestmark = pytest.mark.anyio
SECRET = "whsec_" + "c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cw=="


async def ws_error(emu: Emulator, session: dict[str, Any]) -> dict[str, Any]:
    wire = await Wire.open(emu.url)
    try:
        return await wire.expect_error({"type": "session.update", "session": session})
    finally:
        await wire.close()


async def test_a_client_secret_for_an_unknown_setting_says_unknown_parameter() -> None:
    session: Any = {"type": "realtime", "bogus_setting": 1}
    async with Emulator() as emu:
        over_ws = await ws_error(emu, session)
        assert (over_ws["code"], over_ws["param"]) == ("unknown_parameter", "session.bogus_setting")
        async with AsyncOpenAI(api_key="sk-test", base_url=emu.http_url, max_retries=0) as client:
            with pytest.raises(openai.BadRequestError) as refused:
                await client.realtime.client_secrets.create(session=session)
    assert refused.value.param == "session.bogus_setting"
    assert refused.value.code == "unknown_parameter"  # observed: None


async def test_an_accept_with_an_unknown_voice_says_what_the_websocket_says() -> None:
    async with Emulator() as emu:
        over_ws = await ws_error(
            emu, {"type": "realtime", "audio": {"output": {"voice": "nobody"}}}
        )
        call_id = emu.place_call("http://127.0.0.1:1/hook", SECRET)
        async with AsyncOpenAI(api_key="sk-test", base_url=emu.http_url, max_retries=0) as client:
            with pytest.raises(openai.BadRequestError) as refused:
                await client.realtime.calls.accept(
                    call_id, type="realtime", audio={"output": {"voice": "nobody"}}
                )
    assert refused.value.param == over_ws["param"]
    assert refused.value.code == over_ws["code"]  # observed: None != 'invalid_value'
