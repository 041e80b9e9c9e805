"""Rule broken: docs/session.md, "Reconnect and replay" (the journal is given back "in order")
and "The conversation so far" (``session.history`` is "the conversation as text, in order").

The server puts an output item in its conversation when it announces it
(``response.output_item.added``); the journal only when the item's first text delta (an
answer) or its ``arguments.done`` (a function call) is read. A user message typed in
between (the user types while the answer is being generated) is in the server's
conversation *after* the answer, and in the journal *before* it. After a drop, the new
session is given the user's second message before the answer to the first: the model's
context is no longer the one it had (it reads its answer to "one" as an answer to "two").

Over a real loopback socket; the client's reading is held right after the item is
announced until the server has the typed message, so the order is fixed, not timed.
"""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.emulator import CallFunction, Emulator, ScriptedModel

from .gate import Gate, opener, said

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]
FAST = Reconnect(backoff=0.01, max_backoff=0.05)


@rtagents.tool
def lookup(q: str) -> str:
    """Look it up."""
    return f"found {q}"


SCRIPTS = {
    "an answer": ["The answer to one.", "ok"],
    "a function call": [CallFunction("lookup", {"q": "one"}), "Found one.", "ok"],
}


@pytest.mark.parametrize("begun", list(SCRIPTS))
async def test_a_message_typed_while_an_output_is_begun_keeps_its_place(begun: str) -> None:
    gates: list[Gate] = []

    def make(inner: Any, n: int) -> Gate:
        def announced(f: dict[str, Any]) -> bool:
            return (
                n == 1
                and f["type"] == "response.output_item.added"
                and f["item"]["type"] in ("message", "function_call")
            )

        return Gate(inner, hold_after=announced)

    agent = rtagents.Agent(name="a", tools=[lookup], output_modalities=["text"])
    async with Emulator(model=ScriptedModel(SCRIPTS[begun])) as emu:
        async with rtagents.connect(
            agent, transport=opener(emu.url, gates, make), reconnect=FAST
        ) as session:
            await session.send_text("one")
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "response.output_item.added" and not gates[0].opened.is_set():
                        await session.send_text("two", respond=False)
                        while "two" not in str(emu.connections[0].conversation.items):
                            await anyio.sleep(0.01)
                        gates[0].open()
                    if event.type == "response.done" and "output_text" in str(
                        event.response.output
                    ):
                        break
                else:
                    pytest.fail("the session ended before the answer")
            before = said(emu.connections[0].conversation.items)
            history = [said([i.model_dump(exclude_none=True)])[0] for i in session.history]
            emu.connections[0].drop()
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "session.reconnected":
                        break
                else:
                    pytest.fail("the session ended before it reconnected")
            with anyio.fail_after(10):  # the replay has gone out
                while len(emu.last.conversation.items) < len(before):
                    await anyio.sleep(0.01)
            after = said(emu.last.conversation.items)[: len(before)]
    assert after == before, "the new session was given the conversation in another order"
    assert history == before, "session.history is not in the server's order"
