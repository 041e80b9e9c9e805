"""A long session's record of the messages the framework sent itself (``own_message``: a
background tool's result, a guardrail's note, a message given back on a reconnect) is
bounded: it does not keep an id for every such message the session ever sent. The journal
it answers for is bounded (``Reconnect(max_items=...)``); the record of its items is too."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, Say

pytestmark = pytest.mark.anyio

TURNS = 600
MAX_ITEMS = 40
BOUND = 512  # the latest a session keeps: more than the default journal (400 items) gives back


@rtagents.tool(background=True)
async def lookup(key: str) -> str:
    """Looks a key up (in the background)."""
    return f"value of {key}"


class Clerk:
    """Calls the tool for each user message; says "Done." to its "started" output and to
    its result (a system message)."""

    def __init__(self) -> None:
        self.n = 0

    def respond(self, ctx: Any) -> list[Any]:
        last = ctx.items[-1] if ctx.items else {}
        if last.get("type") == "function_call_output" or last.get("role") == "system":
            return [Say("Done.")]
        self.n += 1
        return [CallFunction("lookup", {"key": f"k{self.n}"}, call_id=f"call_{self.n}")]


async def test_own_messages_do_not_grow_with_every_background_result() -> None:
    agent = rtagents.Agent(name="bg", tools=[lookup], output_modalities=["text"], tracing=None)
    results = 0
    async with Emulator(model=Clerk()) as emu:
        async with rtagents.connect(
            agent, url=emu.url, reconnect=rtagents.Reconnect(max_items=MAX_ITEMS)
        ) as session:
            with anyio.fail_after(25):
                for i in range(TURNS):
                    await session.send_text(f"look {i}")
                    async for event in session:
                        if event.type == "background.completed":
                            results += 1
                            break
                        if event.type == "background.failed":
                            pytest.fail(str(event))
                    else:
                        pytest.fail("the session ended before the background result")
            core = session._runner.core
            journaled = len(core.journal.items())
            own = len(core._own_messages or ())
    assert results == TURNS
    assert journaled <= MAX_ITEMS
    assert own <= BOUND, (
        f"{own} ids of the framework's own messages kept after {TURNS} background results "
        f"(the journal holds {journaled} items)"
    )
