"""rtagents.testing's harness when the session ends before what the test waits for.

``run_session``'s docstring: "record events until ``until(record)`` holds (or ``within``
seconds pass, which fails saying what was waited for)". ``run_agent``'s: "send each of
``say``, wait for each answer". When the server ends the session first (a normal close,
code 1000, which the session does not reconnect after), both return a record as if all
went well: ``until`` never held, the answer never came, and whatever the test asserts
next (``assert_not_called``, no failure, no approval) passes on a session that died.
"""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents import RealtimeSession
from rtagents.emulator import DropConnection
from rtagents.testing import CallFunction, SessionRecord, run_agent, run_session

pytestmark = pytest.mark.anyio


@rtagents.tool
def refund(order: str) -> str:
    """Refund an order."""
    return f"refunded {order}"


agent = rtagents.Agent(name="shop", tools=[refund], output_modalities=["text"])
SCRIPT = [CallFunction("refund", {"order": "42"}), "Refunded."]
# The server closes the session normally as it starts its first response.
CLOSED_EARLY = [DropConnection(after="response.created", code=1000)]


async def test_run_session_fails_when_the_session_ends_before_until_holds() -> None:
    async def drive(session: RealtimeSession, emu: object) -> None:
        await session.send_text("Refund order 42.")

    def refunded(record: SessionRecord) -> bool:
        return bool(record.of("tool.call.completed"))

    with anyio.fail_after(10):
        try:
            record = await run_session(
                agent, SCRIPT, drive, until=refunded, within=5, faults=CLOSED_EARLY
            )
        except Exception:
            return  # what the docstring promises: the run fails, it does not pass
    assert refunded(record), (
        "run_session returned a record for which until() does not hold; events: "
        f"{[e.type for e in record.events]}"
    )


async def test_run_agent_fails_when_the_session_ends_before_the_answer() -> None:
    with anyio.fail_after(10):
        try:
            record = await run_agent(
                agent, SCRIPT, "Refund order 42.", within=5, faults=CLOSED_EARLY
            )
        except Exception:
            return
    # Returned normally: a user's negative assertion now passes on a dead session.
    record.assert_not_called("refund")
    assert record.reply, (
        "run_agent returned without the answer it waits for; events: "
        f"{[e.type for e in record.events]}"
    )
