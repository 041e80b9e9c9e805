"""Rule broken: docs/session.md, "Reconnect and replay": "A function call leaves together with
its output" (the journal's bound), and "function calls, their arguments and outputs |
replayed in order".

A tool returns 80 KB (well within ``max_tool_output_bytes``' 1 MiB, past the journal's
16,000-token bound on its own). Its output makes the journal let go of everything, the call
and its output included. The call's own ``conversation.item.done``, read after the output
went out, then puts the call back in the journal, alone, as a call still waiting for its
output (never free to go again). After a drop the new session is given a function call with
no output: the model sees a call that was never answered (and the journal warns, later, of
"calls still waiting for their outputs" for a call that was answered long ago).

Over a real loopback socket; the client reads the call's ``conversation.item.done`` only
once its output has gone out (the order the emulator gives on its own, made certain).
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
def search(q: str) -> str:
    """Search the documents."""
    return "lorem ipsum " * 7000  # 84 KB


async def test_a_big_output_never_leaves_its_call_behind_alone() -> None:
    gates: list[Gate] = []

    def make(inner: Any, n: int) -> Gate:
        return Gate(
            inner,
            hold_after=lambda f: (
                n == 1
                and f["type"] == "response.output_item.done"
                and f["item"]["type"] == "function_call"
            ),
            open_on=lambda f: (
                f["type"] == "conversation.item.create"
                and f["item"]["type"] == "function_call_output"
            ),
        )

    agent = rtagents.Agent(name="a", tools=[search], output_modalities=["text"])
    model = ScriptedModel(
        ["Hello Bob.", CallFunction("search", {"q": "pricing"}), "Found it.", "ok"]
    )
    async with Emulator(model=model) as emu:
        async with rtagents.connect(
            agent, transport=opener(emu.url, gates, make), reconnect=FAST
        ) as session:
            await session.ask("Hi, I am Bob.")
            await session.ask("Search the pricing.")
            history = said([i.model_dump(exclude_none=True) for i in session.history])
            emu.connections[0].drop()
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "session.reconnected":
                        break
                else:
                    pytest.fail("the session ended before it reconnected")
            replayed = said(
                [f["item"] for f in gates[1].sent if f["type"] == "conversation.item.create"]
            )
    calls = {i[1] for i in replayed if i[0] == "function_call"}
    outputs = {i[1] for i in replayed if i[0] == "function_call_output"}
    assert calls <= outputs, f"replayed calls without their outputs: {calls - outputs}; {replayed}"
    history_calls = {i[1] for i in history if i[0] == "function_call"}
    history_outputs = {i[1] for i in history if i[0] == "function_call_output"}
    assert history_calls <= history_outputs, history
