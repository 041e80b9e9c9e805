"""A flapping server (it accepts every connection, then drops it): the attempt count runs on
across connections until one proves healthy, the backoff grows, and after ``attempts`` the
session closes saying why, in bounded time."""

from __future__ import annotations

import time
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.emulator import DropConnection, Emulator, ScriptedModel

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    "trigger",
    [{"after": "session.updated"}, {"at_s": 0.2}],
    ids=["once-configured", "after-a-moment"],
)
async def test_a_server_that_accepts_then_drops_is_given_up_on(trigger: dict[str, Any]) -> None:
    settings = Reconnect(attempts=4, backoff=0.05, max_backoff=1.0, jitter=0, healthy_after=2.0)
    agent = rtagents.Agent(name="flap", output_modalities=["text"])
    events: list[Any] = []
    started = time.monotonic()
    async with Emulator(faults=[DropConnection(**trigger)]) as emu:
        async with rtagents.connect(agent, url=emu.url, reconnect=settings) as session:
            with anyio.fail_after(15):
                async for event in session:
                    events.append(event)
                    if event.type == "session.closed":
                        break
                else:
                    pytest.fail("the session ended without session.closed")
    elapsed = time.monotonic() - started
    attempts = [e for e in events if e.type == "session.reconnecting"]
    # Counted across connections: 1, 2, 3, 4 (not 1 again after each accepted connection).
    assert [e.attempt for e in attempts] == [1, 2, 3, 4], attempts
    assert [e.delay_s for e in attempts] == [0.05, 0.1, 0.2, 0.4]
    closed = events[-1]
    assert closed.error and "4 connections in a row" in closed.reason, closed.reason
    assert elapsed < 10


async def test_a_connection_that_finished_a_response_starts_the_count_again() -> None:
    """Every connection drops right after its first response, having done real work: each
    drop is attempt 1 again, and even ``attempts=1`` keeps the session going."""
    settings = Reconnect(attempts=1, backoff=0.01, jitter=0, healthy_after=60)
    agent = rtagents.Agent(name="work", output_modalities=["text"])
    attempts: list[int] = []
    model = ScriptedModel([f"answer {n}" for n in range(4)])
    async with Emulator(model=model, faults=[DropConnection(after="response.done")]) as emu:
        async with rtagents.connect(agent, url=emu.url, reconnect=settings) as session:
            for turn in range(4):
                await session.send_text(f"turn {turn}")
                with anyio.fail_after(10):
                    async for event in session:
                        if event.type == "session.reconnecting":
                            attempts.append(event.attempt)
                        elif event.type == "session.reconnected":
                            break
                    else:
                        pytest.fail(f"the session ended: {session.closed_reason}")
            assert session.closed_reason is None
    assert attempts == [1, 1, 1, 1]
