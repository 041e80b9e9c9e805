"""``run_agent(..., within=...)`` / ``run_session``: "record events until ``until(record)``
holds (or ``within`` seconds pass, which fails saying what was waited for)".

``within`` is a ``fail_after`` around the drive only: opening the session (``connect``,
which waits up to 30 s for the server to answer its configuration) is outside it. Against
a slow server (the emulator's own ``Latency`` fault) a run given ``within=1`` takes 30 s and
then fails with a ``SessionConfigError``, not the promised ``TimeoutError`` saying what it
waited for; under pytest's usual per-test timeouts it is simply killed.
"""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents.emulator import Latency
from rtagents.testing import run_agent

pytestmark = pytest.mark.anyio

agent = rtagents.Agent(name="shop", output_modalities=["text"])


async def test_within_bounds_opening_the_session_too() -> None:
    slow = [Latency(ms=60_000)]  # the server answers nothing for a minute
    started = anyio.current_time()
    outcome: BaseException | None = None
    with anyio.move_on_after(6):
        try:
            await run_agent(agent, ["Hello."], "Hi", within=1, faults=slow)
        except Exception as exc:
            outcome = exc
    took = anyio.current_time() - started
    assert outcome is not None, f"run_agent(within=1) was still running after {took:.1f} s"
    assert isinstance(outcome, TimeoutError), repr(outcome)
    assert "within 1 s" in str(outcome)
