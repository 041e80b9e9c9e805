"""A GPT-Live session that survives its connection: a drop at each point of a delegated call
re-attaches to the same Live session (``.../sessions/{id}/attach``, configured with
``session.update``), runs the tool once, gets its output to the server once and continues the
batch with one ``response.create``.

"Its output reached the server once": the emulator's Live session (kept through the drop,
its state handed to the attached connection) holds exactly one ``function_call_output`` for
the call. A second copy the client sends, not knowing whether the first arrived, is refused
("already has an output") and becomes a warning.
"""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.emulator import CallFunction, DropConnection, Emulator, ModelContext, ScriptedModel

from .harness import speak, spoken, until

pytestmark = pytest.mark.anyio
FAST = Reconnect(backoff=0.01, max_backoff=0.05)

POINTS = {
    "after arguments.done": {"after": "response.function_call_arguments.done"},
    "output received, not handled": {"on_client": "response.item.create"},
    "after response.completed": {"after": "response.completed"},
    "response.create in flight": {"on_client": "response.create"},
}


def echo(ctx: ModelContext) -> str:
    return "Answer: " + " | ".join(o["output"] for o in ctx.pending_outputs)


async def run_turn(fault: dict[str, Any]) -> dict[str, Any]:
    runs: list[str] = []

    @rtagents.tool
    async def charge(amount: int) -> str:
        """Charge the customer's card."""
        runs.append(f"charge {amount}")
        await anyio.sleep(0.05)
        return f"charged {amount}"

    model = ScriptedModel([CallFunction("charge", {"amount": 5}, call_id="call_charge"), echo])
    agent = rtagents.Agent(tools=[charge])
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live", reconnect=FAST) as session:
            emu.last.add_fault(DropConnection(**fault))
            await speak(session)
            events = await until(session, lambda seen: "charged 5" in spoken(seen))
        connections = list(emu.connections)
    last = connections[-1]
    outputs = [
        i
        for i in last.conversation.items
        if i.get("type") == "function_call_output" and i.get("call_id") == "call_charge"
    ]
    creates = [e for c in connections for e in c.received if e["type"] == "response.create"]
    handled_creates = [
        e
        for e in last.sent
        if e["type"] == "response.event" and e["event"]["type"] == "response.created"
    ]
    return {
        "runs": runs,
        "connections": connections,
        "outputs": len(outputs),
        "creates": creates,
        "answers": spoken(events),
        "reconnected": [e for e in events if e.type == "session.reconnected"],
        "failed": [e for e in events if e.type == "tool.call.failed"],
        "starts": [
            e["type"] for c in connections for e in c.received if e["type"] == "session.start"
        ],
        "updates": [e for e in connections[-1].received if e["type"] == "session.update"],
        "session_ids": {c.session.get("id") for c in connections},
        "handled_creates": handled_creates,
    }


@pytest.mark.parametrize("point", list(POINTS))
async def test_a_drop_in_a_delegated_call_runs_it_once_and_answers_once(point: str) -> None:
    result = await run_turn(POINTS[point])
    assert len(result["connections"]) == 2
    assert result["runs"] == ["charge 5"]  # the tool ran once
    assert result["outputs"] == 1  # its output reached the server once
    assert result["starts"] == ["session.start"]  # the second connection attached
    assert len(result["updates"]) == 1
    assert len(result["session_ids"]) == 1  # the same Live session
    assert "Answer: charged 5" in result["answers"]
    assert len(result["reconnected"]) == 1
    assert not result["failed"]
    # Exactly one response.create continued the batch (the one a drop took is asked again,
    # never twice on the connection that answers).
    last_creates = [e for e in result["connections"][-1].received if e["type"] == "response.create"]
    assert len(last_creates) == 1


async def test_an_explicit_reconnect_is_taken_and_none_ends_at_the_drop() -> None:
    model = ScriptedModel([CallFunction("charge", {"amount": 5}), echo])

    @rtagents.tool
    def charge(amount: int) -> str:
        """Charge."""
        return f"charged {amount}"

    async with Emulator(model=model) as emu:
        async with rtagents.connect(
            rtagents.Agent(tools=[charge]), url=emu.live_url, api="live", reconnect=None
        ) as session:
            emu.last.drop()
            events = await until(session, lambda seen: seen[-1].type == "session.closed")
    assert not [e for e in events if e.type == "session.reconnecting"]


async def test_an_answered_batch_is_not_sent_again_after_a_later_drop() -> None:
    """The response our ``response.create`` asked for named it and ended: every output of
    the batch, the last one too, is the server's, and the attached connection is sent none
    of them again (where it would be refused, with a warning)."""
    model = ScriptedModel([CallFunction("charge", {"amount": 5}, call_id="call_charge"), echo])

    @rtagents.tool
    async def charge(amount: int) -> str:
        """Charge."""
        await anyio.sleep(0.05)  # done after its response: the output asks for the next
        return f"charged {amount}"

    async with Emulator(model=model) as emu:
        agent = rtagents.Agent(tools=[charge])
        async with rtagents.connect(agent, url=emu.live_url, api="live", reconnect=FAST) as session:
            await speak(session)
            await until(session, lambda seen: "charged 5" in spoken(seen))
            answered = [
                e["event"]["type"]
                for e in emu.last.sent
                if e["type"] == "response.event" and e.get("client_event_id")
            ]
            assert "response.completed" in answered  # the answer named our request
            emu.last.drop()
            await until(session, lambda seen: any(e.type == "session.reconnected" for e in seen))
            await session.thinking("marker")  # frames arrive in order: a resend came before
            with anyio.fail_after(5):
                while not [
                    e for e in emu.connections[-1].received if e["type"].endswith("ing.append")
                ]:
                    await anyio.sleep(0.01)
        connections = list(emu.connections)
    assert len(connections) == 2
    assert [e for e in connections[-1].received if e["type"] == "response.item.create"] == []


async def test_an_on_delegation_answer_given_during_a_drop_reaches_the_attached_session() -> None:
    """The connection drops while the app works on a client delegation: its answer, ready
    while the session is offline, goes to the connection that attaches (it was dropped, and
    the model's delegation waited for good)."""
    emulator: list[Emulator] = []

    async def on_delegation(delegation: rtagents.Delegation) -> str:
        emulator[0].last.drop()  # the connection drops while the app works on it
        await anyio.sleep(0.01)  # (the reader sees the drop)
        return "Your order ships tomorrow."

    agent = rtagents.Agent(instructions="Orders.", on_delegation=on_delegation)
    async with Emulator(model=ScriptedModel([CallFunction("lookup", {"order": 7})])) as emu:
        emulator.append(emu)
        async with rtagents.connect(agent, url=emu.live_url, api="live", reconnect=FAST) as session:
            await speak(session)
            await until(session, lambda seen: any(e.type == "session.reconnected" for e in seen))
            with anyio.fail_after(5):
                while not [
                    e
                    for e in emu.last.received
                    if e["type"] == "session.commentary.append"
                    and e["content"] == "Your order ships tomorrow."
                ]:
                    await anyio.sleep(0.01)
