"""The stand-in model (RuleModel) says an app's note aloud. It never takes the note for the
user's request, which would start the task again. A note is a system message, or rtagents' own
``bg_`` item whatever its role. A background tool told ``Background(role="user")`` (documented:
the result message's role is "system" or "user") adds its result as a user message. Read as the
user's request, it would match the same tool ("The background task ... (book_table) finished
...") and call the tool again, and again after that result, without end. So one "book a table"
starts the task once."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import Emulator, RuleModel
from rtagents.tools import Background

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]


@rtagents.tool(background=Background(role="user"))
async def book_table(people: int = 2) -> str:
    """Book a table."""
    await anyio.sleep(0.1)
    return f"a table for {people} at 8 pm"


async def test_a_background_result_told_as_user_does_not_start_the_task_again() -> None:
    agent = rtagents.Agent(name="a", instructions="Book tables.", tools=[book_table])
    events: list[Any] = []
    async with Emulator(model=RuleModel()) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            session.on("*")(events.append)
            await session.ask("book a table")
            await anyio.sleep(1.5)
    started = [e for e in events if e.type == "background.started"]
    assert len(started) == 1, f"the task was started {len(started)} times"
