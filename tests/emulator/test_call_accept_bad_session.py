"""A Realtime SIP call's accept checks its session, as the real API's does (400).

``POST /v1/realtime/calls/{id}/accept`` stores the body unchecked and answers 200 (GPT-Live's
accept and ``client_secrets`` check theirs). The bad configuration then blows up when the
sideband connects: ``start_with`` raises inside the websocket route, uvicorn logs a
traceback and the connection dies with no close frame, so the agent never gets an ``error``
naming what it got wrong, and the call is left with a broken sideband."""

from __future__ import annotations

import anyio
import openai
import pytest
from openai import AsyncOpenAI

from rtagents.emulator import Emulator

pytestmark = pytest.mark.anyio
SECRET = "whsec_" + "QUJDREVGR0hJSktMTU5PUA=="


async def test_an_accept_with_an_unknown_voice_is_a_400() -> None:
    async with Emulator() as emu:
        # (nothing listens there: the webhook is not the point, the call rings all the same)
        call_id = emu.place_call("http://127.0.0.1:1/hook", SECRET)
        async with AsyncOpenAI(api_key="sk-test", base_url=emu.http_url, max_retries=0) as client:
            with pytest.raises(openai.BadRequestError):  # observed: 200, the call accepted
                await client.realtime.calls.accept(
                    call_id, type="realtime", audio={"output": {"voice": "nobody"}}
                )


async def test_a_sideband_of_a_badly_accepted_call_gets_an_error_event_not_a_dead_socket() -> None:
    async with Emulator() as emu:
        call_id = emu.place_call("http://127.0.0.1:1/hook", SECRET)
        async with AsyncOpenAI(api_key="sk-test", base_url=emu.http_url, max_retries=0) as client:
            try:
                await client.realtime.calls.accept(
                    call_id, type="realtime", instructions="x", extra_body={"bogus_setting": 1}
                )
            except openai.BadRequestError:
                return  # refused at the accept, as the API does: nothing more to check
            async with client.realtime.connect(call_id=call_id) as conn:
                with anyio.fail_after(5):
                    # observed: ConnectionClosedError (no close frame received or sent)
                    first = await conn.recv()
            assert first.type in ("session.created", "error")
