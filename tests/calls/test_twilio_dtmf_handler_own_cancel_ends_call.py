"""A keypad handler whose own code raises ``CancelledError`` (it awaited a
shared lookup that another caller's hang-up cancelled) ends the whole stream.

``_dtmf`` (rtagents/calls/twilio_stream.py) catches ``Exception`` only, so the keypad task
ends with ``CancelledError`` inside the bridge's task group; the group takes it for a
cancellation and the call ends at once: the websocket is closed with 1000, the record says
``ended`` / ``"closed by the client"``, and nothing is logged. The bridge's own comment
says "the app's handler must not cost the call, nor the next press", and the library's
rule for hooks and handlers (``_either.being_cancelled``, commit ac4d9d9) is that a
``CancelledError`` the app's code raised of its own is a warning, not an end."""

from __future__ import annotations

import asyncio
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.calls import CallServer, TwilioStreams
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import TwilioMediaClient, serve_asgi

pytestmark = pytest.mark.anyio
SECRET = "whsec_" + "c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cw=="
TOKEN = "twilio-auth-token-for-tests"


async def test_a_keypad_handlers_own_cancelled_error_costs_neither_the_call_nor_the_next_press() -> (
    None
):
    pressed: list[str] = []

    async def handler(session: Any, digit: str) -> None:
        pressed.append(digit)
        if digit == "1":
            shared = asyncio.get_running_loop().create_future()
            shared.cancel()  # the lookup this press waited on was given up elsewhere
            await shared  # raises CancelledError: the handler's own, not the call's end

    async with Emulator(model=ScriptedModel([], then="ok")) as emu:
        app = CallServer(
            agent=rtagents.Agent(name="phone"),
            webhook_secret=SECRET,
            api_key="sk-x",
            base_url=emu.http_url,
            twilio=TwilioStreams(auth_token=TOKEN, on_dtmf=handler),
        )
        async with serve_asgi(app) as url:
            stream = url.replace("http", "ws", 1) + "/twilio"
            phone = TwilioMediaClient(stream, auth_token=TOKEN, playback="instant")
            async with phone:
                with anyio.fail_after(10):
                    while not (phone.call_sid in app.calls and app.calls[phone.call_sid].session):
                        await anyio.sleep(0.01)
                    await phone.press("1")
                    while not pressed:
                        await anyio.sleep(0.01)
                await anyio.sleep(0.3)
                record = app.calls[phone.call_sid]
                closed, state, reason = phone.closed, record.state, record.reason
                if closed is None:
                    await phone.press("2")
                    with anyio.move_on_after(3):
                        while len(pressed) < 2:
                            await anyio.sleep(0.01)
    assert closed is None and state == "active", (
        f"one keypad press ended the call: stream closed {closed}, record {state!r} ({reason!r})"
    )
    assert pressed == ["1", "2"]
