"""rtagents.testing.run_agent: its record is what a session, as connect() opens it, does."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents.emulator import DropConnection
from rtagents.testing import CallFunction, run_agent


@rtagents.tool
async def book_table(guests: int) -> str:
    """Book a table."""
    await anyio.sleep(0.1)
    return f"booked for {guests}"


agent = rtagents.Agent(name="host", tools=[book_table], output_modalities=["text"])


@pytest.mark.anyio
@pytest.mark.parametrize("socket", [True, False], ids=["socket", "in_process"])
async def test_a_dropped_connection_is_reconnected_as_connect_does(socket: bool) -> None:
    # connect() reconnects by default; run_agent's in-process session should too, so that
    # a test of a drop (faults=) means the same whichever way the session reaches the emulator.
    drop = DropConnection(after="response.function_call_arguments.done", code=1011)
    record = await run_agent(
        agent,
        [CallFunction("book_table", {"guests": 4}), "Your table is booked."],
        "A table for four, please.",
        socket=socket,
        faults=[drop],
        within=8,
    )
    assert record.of("session.closed") == []
    assert [e.type for e in record.of("session.reconnected")] == ["session.reconnected"]
    assert record.call("book_table").output == "booked for 4"
    assert record.reply == "Your table is booked."
