"""A batch's answer that is a function call, cut off by a drop before its ``response.done``.

Response r1 calls ``first`` (c1); its output goes and r2 answers it by calling ``second``
(c2: arguments done, the call started and journaled). The connection drops before r2's
``response.done``. On the new connection the journal gives back c1, its output and c2; c2
is still running and its batch will ask for the next turn once it has its output.

Today ``Batches.disconnected`` moves c1's output back to "unseen" (``seen_by`` of r2 is only
cleared by ``item_done(answers=True)``, which an assistant *message* sets, never a call), so
the new connection is asked for a response to c1 a second time, while c2 is still running:
the model answers the same output twice (with the emulator's model, and plausibly with a
real one, it calls ``second`` again: the tool runs twice, two answers reach the user).

Right behaviour: a completed function call of r2 answered r1's batch (it is kept and run);
after the reconnect only c2's batch asks, once c2 has its output: one ``response.create``
on the new connection, c1 asked for once in all."""

from __future__ import annotations

from collections import Counter
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.emulator import CallFunction, DropConnection, Emulator, ModelContext, Say
from rtagents.session.actions import AskResponse, ToolTraits
from rtagents.session.orchestrator import Orchestrator
from rtagents.session.states import LinkInput

pytestmark = pytest.mark.anyio


def test_sans_io_a_call_made_in_answer_counts_as_the_answer_after_a_drop() -> None:
    o = Orchestrator(lambda name, rid: ToolTraits(), "e")
    o.response_started("r1", in_conversation=True)
    o.call_arrived("c1", "first", "{}", "r1", "item_c1")
    o.response_ended("r1")
    [ask] = [d for d in o.call_finished("c1", "one") if isinstance(d, AskResponse)]
    o.output_confirmed("c1")
    o.response_started("r2", in_conversation=True)  # answers c1 ...
    o.call_arrived("c2", "second", "{}", "r2", "item_c2")  # ... by calling again
    o.link_event(LinkInput.DROPPED)  # before r2's response.done
    o.link_event(LinkInput.REOPENED)
    asks = [d for d in o.owed() if isinstance(d, AskResponse)]
    # Right: nothing is owed until c2 has its output (c1 was answered by r2's call).
    assert asks == [], asks


class Chain:
    """Calls ``first``, answers its output by calling ``second``, then says it is done."""

    def respond(self, ctx: ModelContext) -> list[Any]:
        calls = [i for i in ctx.items if i.get("type") == "function_call"]
        outputs = {i["call_id"] for i in ctx.items if i.get("type") == "function_call_output"}
        if not calls:
            return [CallFunction("first", {}, call_id="c1")]
        if "c2" in outputs:
            return [Say("all done")]
        return [CallFunction("second", {}, call_id=f"c{len(calls) + 1}")]


async def test_a_call_made_in_answer_is_not_asked_for_again_after_a_drop() -> None:
    runs: Counter[str] = Counter()

    @rtagents.tool
    async def first() -> str:
        """First step."""
        runs["first"] += 1
        return "one"

    @rtagents.tool
    async def second() -> str:
        """Second step."""
        runs["second"] += 1
        await anyio.sleep(0.3)  # still running when the new connection is up
        return "two"

    agent = rtagents.Agent(name="c", tools=[first, second], output_modalities=["text"])
    requested: list[tuple[str, ...]] = []
    async with Emulator(model=Chain(), realtime=False) as emu:
        async with rtagents.connect(
            agent, transport=emu.transport, reconnect=Reconnect(backoff=0.01, max_backoff=0.05)
        ) as session:
            # Drop once r2's call is complete, before r2's response.done.
            emu.last.add_fault(DropConnection(after="response.function_call_arguments.done", nth=2))
            await session.send_text("go")
            with anyio.move_on_after(3):
                async for event in session:
                    if event.type == "response.requested":
                        requested.append(event.call_ids)
        second_connection = emu.connections[1]
        creates = [e for e in second_connection.received if e["type"] == "response.create"]
    # Right: c1 is asked for once (on the first connection), c2 once; the tool runs once.
    assert requested == [("c1",), ("c2",)], requested
    assert len(creates) == 1, len(creates)
    assert runs == {"first": 1, "second": 1}, runs
