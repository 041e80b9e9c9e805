"""``Reconnect(attempts=N)`` accepts any whole number, and the session is to try N
connections, then close saying "the connection could not be kept: N connections in a row
failed ..." (session.md, "Reconnect and replay", step 2). The backoff is computed as
``backoff * 2.0 ** (attempt - 1)`` before it is capped, which overflows a float at attempt
1025: a session told to keep trying (``attempts=5000``, ``max_backoff=30``: hours of
retrying) dies at attempt 1025 with an internal error instead."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio


def test_the_delay_of_a_late_attempt_is_capped_not_an_overflow() -> None:
    settings = rtagents.Reconnect(attempts=5000, backoff=0.25, max_backoff=30.0, jitter=0)
    assert settings.delay(1025) == 30.0


async def test_a_session_with_many_attempts_gives_up_with_its_reason() -> None:
    attempts = 1100
    async with Emulator(model=ScriptedModel(["hi"])) as emu:
        opened = 0

        async def open_() -> Any:
            nonlocal opened
            opened += 1
            if opened == 1:
                return emu.transport()
            raise ConnectionRefusedError("nobody listens")

        settings = rtagents.Reconnect(attempts=attempts, backoff=0.0, max_backoff=0.0, jitter=0)
        async with rtagents.connect(
            rtagents.Agent(name="a"), transport=open_, reconnect=settings
        ) as session:
            emu.last.drop()
            with anyio.fail_after(60):
                async for event in session:
                    if event.type == "session.closed":
                        break
                else:
                    pytest.fail("the stream ended without session.closed")
    assert "internal error" not in event.reason, event.reason
    assert event.reason.startswith(
        f"the connection could not be kept: {attempts} connections in a row"
    ), event.reason
    assert opened == attempts + 1
