"""Rule (DESIGN, tool-call semantics; docs/live.md): one ``response.create`` per batch, once
every call that wants a reply has its output; a call a drop cut off is answered as
``disconnected`` "and the turn goes on".

The backend's first response calls ``lookup``; its output goes, our ``response.create``
starts a second response, which calls ``charge``: the drop comes as ``charge`` is
announced, on a server that loses the work under way with the connection
(``DropConnection(loses_work=True)``). After the re-attach the server waits for ``charge``'s output (its response is the
one waiting), and ``lookup``'s output is owed again (the response that saw it never ended).
``LiveCore.resumed`` runs ``DelegatedWork.cut_off`` first, which ends the cut response for
the orchestrator (``response_ended``) before ``charge``'s answer exists: that asks at once
for ``lookup``'s batch, the server refuses it (``missing_tool_output``), the request is given
up, and ``charge``'s output then goes with no ``response.create`` after it: the turn stops."""

from __future__ import annotations

import json

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.emulator import CallFunction, DropConnection, Emulator, ModelContext, ScriptedModel
from tests.session.live.harness import speak

pytestmark = pytest.mark.anyio
FAST = Reconnect(backoff=0.01, max_backoff=0.05)


def echo(ctx: ModelContext) -> str:
    return "Answer: " + " | ".join(o["output"] for o in ctx.pending_outputs)


@rtagents.tool
async def lookup(city: str) -> str:
    """Look a city up."""
    return f"found {city}"


@rtagents.tool
async def charge(amount: int) -> str:
    """Charge the customer's card."""
    return f"charged {amount}"


async def test_the_turn_goes_on_after_a_cut_call_with_an_earlier_output_owed() -> None:
    model = ScriptedModel(
        [
            CallFunction("lookup", {"city": "Paris"}, call_id="call_lookup"),
            CallFunction("charge", {"amount": 5}, call_id="call_charge"),
            echo,
        ]
    )
    agent = rtagents.Agent(tools=[lookup, charge])
    seen: list[str] = []
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live", reconnect=FAST) as session:
            # The second call's announcement (the first was lookup's).
            emu.last.add_fault(
                DropConnection(after="response.output_item.added", nth=2, loses_work=True)
            )
            await speak(session)
            with anyio.move_on_after(4):
                async for event in session:
                    seen.append(event.type)
                    if event.type == "session.warning":
                        seen.append(event.message)
        last = emu.connections[-1]
        refused = [e for e in last.sent if e["type"] == "error"]
        answers = [i for i in last.conversation.items if i.get("type") == "message"]
    assert "session.reconnected" in seen, seen
    assert refused == [], f"the server refused a request after the re-attach: {refused}"
    assert answers and "disconnected" in json.dumps(answers[-1]), (
        f"the backend never answered after charge's output: the turn stopped; {seen}"
    )
