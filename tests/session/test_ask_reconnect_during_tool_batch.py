"""``ask()`` across a drop waits for its answer: a response that says a message, then calls
a tool ("Let me check." and a function call), is not the answer; the connection drops after
that response's end, while the tool runs, and the call's output goes out on the new
connection and asks for the real answer, which ``ask()`` returns with. Only an answer whose
last word was a finished message, with nothing asked for after it, is complete at the
reconnect. (Before the rule was read so, ``ask()`` returned at ``session.reconnected``
here.)"""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.emulator import CallFunction, DropConnection, Emulator, ScriptedModel

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(20)]

FAST = Reconnect(backoff=0.01, max_backoff=0.05)


@rtagents.tool
async def search(q: str) -> str:
    """Search (a little slow)."""
    await anyio.sleep(0.5)
    return "found"


async def test_ask_waits_for_the_tool_batch_answer_across_a_drop() -> None:
    agent = rtagents.Agent(name="a", tools=[search], output_modalities=["text"])
    model = ScriptedModel([["Let me check.", CallFunction("search", {"q": "x"})], "Found it."])
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.url, reconnect=FAST) as session:
            emu.last.add_fault(DropConnection(after="response.done"))
            with anyio.fail_after(10):
                events = await session.ask("search x")
    kinds = [getattr(e, "type", None) for e in events]
    said = [e.text for e in events if e.type == "response.output_text.done"]
    assert "Found it." in said, (
        f"ask() returned before its answer: said {said}, last events {kinds[-6:]}"
    )
