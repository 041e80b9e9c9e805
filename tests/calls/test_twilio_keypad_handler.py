"""A Twilio stream's keypad handler (``TwilioStreams(on_dtmf=...)``) runs detached from the
call: what it raises costs neither the call nor the next press, a ``CancelledError`` of its
own included (it awaited a shared lookup another caller's hang-up gave up: it used to escape
the keypad's task and end the call, the record saying "closed by the client"); the call's
end cancels it and waits no longer (an audit it shields used to hold the caller's websocket,
the call's record and its session for as long as it ran); and what it raises after the call
ended is still logged (nobody waits for it then)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import pytest

from rtagents.calls import TwilioStreams
from rtagents.testing import TwilioMediaClient

from .harness import TWILIO_TOKEN, twilio_call

pytestmark = pytest.mark.anyio

Handler = Callable[[Any, str], Awaitable[None]]


def keypad_call(handler: Handler) -> Any:
    """A stream whose session runs, its keypad presses going to ``handler``."""
    return twilio_call(TwilioStreams(auth_token=TWILIO_TOKEN, on_dtmf=handler))


async def pressed_and_handled(phone: TwilioMediaClient, digit: str, pressed: list[str]) -> None:
    with anyio.fail_after(10):
        await phone.press(digit)
        while digit not in pressed:
            await anyio.sleep(0.01)


async def hang_up(phone: TwilioMediaClient) -> float:
    """The caller hangs up: how long the stream then took to close."""
    began = time.monotonic()
    await phone.send("stop", stop={"callSid": phone.call_sid})
    with anyio.fail_after(10):
        await phone.wait_closed()
    return time.monotonic() - began


async def test_a_handlers_own_cancelled_error_costs_neither_the_call_nor_the_next_press() -> None:
    pressed: list[str] = []

    async def handler(session: Any, digit: str) -> None:
        pressed.append(digit)
        if digit == "1":
            shared = asyncio.get_running_loop().create_future()
            shared.cancel()  # the lookup this press waited on was given up elsewhere
            await shared  # raises CancelledError: the handler's own, not the call's end

    async with keypad_call(handler) as (app, phone):
        await pressed_and_handled(phone, "1", pressed)
        await anyio.sleep(0.3)
        record = app.calls[phone.call_sid]
        assert phone.closed is None and record.state == "active", (record.state, record.reason)
        await pressed_and_handled(phone, "2", pressed)
    assert pressed == ["1", "2"]


async def test_a_handler_that_shields_its_work_does_not_hold_the_call() -> None:
    pressed: list[str] = []

    async def audit(session: Any, digit: str) -> None:
        pressed.append(digit)
        with anyio.CancelScope(shield=True):  # the audit record must not be lost
            await anyio.sleep(6)

    async with keypad_call(audit) as (_, phone):
        await pressed_and_handled(phone, "1", pressed)
        took = await hang_up(phone)
    assert took < 4, f"the caller hung up; the stream and its call stayed up {took:.1f} s more"


async def test_a_handlers_failure_after_its_call_ended_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    pressed: list[str] = []
    audited = anyio.Event()

    async def audit(session: Any, digit: str) -> None:
        pressed.append(digit)
        with anyio.CancelScope(shield=True):  # written whatever happens (it fails, here)
            await anyio.sleep(0.3)
            audited.set()
            raise RuntimeError("the audit write failed")

    with caplog.at_level(logging.WARNING, logger="rtagents.calls"):
        async with keypad_call(audit) as (_, phone):
            await pressed_and_handled(phone, "5", pressed)
            assert await hang_up(phone) < 4
            with anyio.fail_after(5):
                await audited.wait()
            await anyio.sleep(0.1)  # (its end told)
    failed = [r for r in caplog.records if "the DTMF handler failed" in r.getMessage()]
    assert failed and "the audit write failed" in caplog.text, caplog.text
