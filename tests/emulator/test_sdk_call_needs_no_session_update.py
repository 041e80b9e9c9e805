"""A SIP call configured entirely by its accept, as the openai SDK's users configure one, and
watched over its sideband with the SDK's own client: placed with ``caller_waits_s``, its
caller speaks that long after the sideband attached, though no ``session.update`` came (the
simulated caller waited for one for ever: a client that sent everything with the accept,
nothing more to update, as on the real API, heard nothing)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from openai import AsyncOpenAI

from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio
SECRET = "whsec_" + "c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cw=="
NOWHERE = "http://127.0.0.1:1/hook"  # the webhook is not the point: the call rings anyway


async def test_a_realtime_call_accepted_with_its_session_hears_the_caller() -> None:
    async with Emulator(model=ScriptedModel(["Hello, how can I help?"])) as emu:
        call_id = emu.place_call(
            NOWHERE, SECRET, say=["Hi, is this the bakery?"], caller_waits_s=0.5
        )
        async with AsyncOpenAI(api_key="sk-test", base_url=emu.http_url, max_retries=0) as client:
            await client.realtime.calls.accept(
                call_id, type="realtime", instructions="You answer the bakery's phone."
            )
            async with client.realtime.connect(call_id=call_id) as conn:
                heard: list[Any] = []
                # observed: TimeoutError, no user turn ever comes (the caller waits for a
                # session.update the client has no reason to send)
                with anyio.fail_after(5):
                    async for event in conn:
                        if (
                            event.type == "conversation.item.added"
                            and event.item.type == "message"
                            and event.item.role == "user"
                        ):
                            heard.append(event.item)
                            break
                    else:
                        pytest.fail("the sideband closed before the caller spoke")
        assert heard[0].content[0].text == "Hi, is this the bakery?"


async def test_a_live_call_accepted_with_its_session_hears_the_caller() -> None:
    async with Emulator(model=ScriptedModel(["Hello, how can I help?"]), voice="tones") as emu:
        session_id = emu.place_call(
            NOWHERE, SECRET, api="live", say=["Is this the bakery?"], caller_waits_s=0.5
        )
        async with AsyncOpenAI(api_key="sk-test", base_url=emu.http_url, max_retries=0) as client:
            session: Any = {
                "type": "live",
                "model": "gpt-live-1",
                "instructions": "You answer the bakery's phone.",
            }
            await client.live.sessions.accept(session_id, session=session)
            async with client.live.sideband.connect(session_id=session_id) as sideband:
                heard = ""
                # observed: TimeoutError, no session.input_transcript.delta ever comes
                with anyio.fail_after(5):
                    async for event in sideband:
                        if event.type == "session.input_transcript.delta":
                            heard += event.delta
                        elif event.type == "session.output_transcript.delta":
                            break  # the model answers the caller's turn
                    else:
                        pytest.fail("the sideband closed before the caller spoke")
        assert heard.strip() == "Is this the bakery?"
