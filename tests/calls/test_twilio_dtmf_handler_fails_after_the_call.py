"""A keypad handler runs detached: the call's end cancels it and waits no longer (an audit
it shields holds up no hang-up). When that shielded audit then fails, it is still logged,
"the DTMF handler failed": nobody waits for it any more, and its exception is read at its
end (so asyncio says nothing either)."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any

import anyio
import pytest

from rtagents.calls.twilio_stream import _dtmf

pytestmark = pytest.mark.anyio


async def test_a_keypad_handlers_failure_after_the_calls_end_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    started = anyio.Event()

    async def handler(session: Any, digit: str) -> None:
        with anyio.CancelScope(shield=True):  # the press's audit, written whatever happens
            started.set()
            await anyio.sleep(0.2)
            raise RuntimeError("the audit write failed")

    settings = SimpleNamespace(on_dtmf=handler)
    with caplog.at_level(logging.DEBUG):
        async with anyio.create_task_group() as tg:  # the call's keypad task
            tg.start_soon(_dtmf, settings, object(), "5")
            await started.wait()
            tg.cancel_scope.cancel()  # the caller hangs up
        await anyio.sleep(0.5)  # the audit has failed by now
    logged = caplog.text
    assert "the DTMF handler failed" in logged and "the audit write failed" in logged, logged
