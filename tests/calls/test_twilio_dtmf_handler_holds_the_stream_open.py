"""The stream's end waits, without bound, for the app's keypad handler.

When Twilio stops the stream, ``TwilioCall.connect`` cancels its task group and waits for
every task in it, the keypad task included. An async ``on_dtmf`` handler that does not end
at once on cancellation (here: an audit write it shields so it is not lost, 6 s; one that
swallows its cancellation never ends) keeps the caller's websocket open and the call
``active`` in ``app.calls`` (and its claim held, its session open) for as long as it runs.
docs/failures.md: "an async event handler that ignores its cancellation: the session's own
tasks are waited for at most 3 s once it has ended"; a sync handler's thread is abandoned
(``call_either``), but an async one's task is not."""

from __future__ import annotations

import time
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


async def test_a_keypad_handler_that_ignores_its_cancellation_does_not_hold_the_call() -> None:
    pressed: list[str] = []

    async def audit(session: Any, digit: str) -> None:
        pressed.append(digit)
        with anyio.CancelScope(shield=True):  # the audit record must not be lost
            await anyio.sleep(6)

    async with Emulator(model=ScriptedModel([], then="ok")) as emu:
        app = CallServer(
            agent=rtagents.Agent(name="phone"),
            webhook_secret=SECRET,
            api_key="sk-x",
            base_url=emu.http_url,
            twilio=TwilioStreams(auth_token=TOKEN, on_dtmf=audit),
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
                began = time.monotonic()
                await phone.send("stop", stop={"callSid": phone.call_sid})  # the caller hangs up
                with anyio.fail_after(10):
                    await phone.wait_closed()
                took = time.monotonic() - began
    assert took < 4, f"the caller hung up; the stream and its call stayed up {took:.1f} s more"
