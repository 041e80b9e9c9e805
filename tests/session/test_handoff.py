"""Declarative handoffs (``Agent(handoffs=[...])``) against the emulator: one transfer tool per
target, one ``session.update`` per handoff with the new agent's instructions and tools, the
conversation kept, one ``response.create`` per batch, a ``handoff`` event each time, and a
bound on handoffs that follow each other without the user speaking."""

from __future__ import annotations

import gc
import json
import weakref
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ModelContext, Say, ScriptedModel
from rtagents.session.events import SessionEvent

pytestmark = pytest.mark.anyio


@rtagents.tool
def refund(order_id: str) -> str:
    """Refund an order."""
    return f"order {order_id} refunded"


def agents(**triage_options: Any) -> tuple[rtagents.Agent, rtagents.Agent]:
    """Triage and billing, each able to hand the conversation to the other: billing names
    triage lazily (a callable), since triage does not exist yet when billing is made."""
    billing = rtagents.Agent(
        name="billing",
        instructions="You handle refunds.",
        tools=[refund],
        handoffs=[lambda: triage],
        output_modalities=["text"],
    )
    triage = rtagents.Agent(
        name="Triage desk",
        instructions="Find out what the user needs.",
        handoffs=[billing],
        output_modalities=["text"],
        **triage_options,
    )
    return triage, billing


class Seen:
    """What the model saw on each turn: its instructions, its tools, the outputs it answers."""

    def __init__(self) -> None:
        self.turns: list[tuple[str, list[str], list[str]]] = []

    def answer(self, text: str) -> Any:
        def turn(ctx: ModelContext) -> str:
            outputs = [str(o.get("output")) for o in ctx.pending_outputs]
            self.turns.append((ctx.instructions, sorted(t["name"] for t in ctx.tools), outputs))
            return text

        return turn


async def turn(session: rtagents.RealtimeSession, text: str) -> list[SessionEvent]:
    """Say ``text``; the events until the assistant's answer is done."""
    await session.send_text(text)
    events: list[SessionEvent] = []
    with anyio.fail_after(10):
        async for event in session:
            events.append(event)
            if event.type == "response.output_text.done":
                return events
        else:
            pytest.fail("the session ended before the answer")
    raise AssertionError("unreachable")


def frames(emu: Emulator, kind: str) -> list[dict[str, Any]]:
    return [f for f in emu.last.received if f["type"] == kind]


async def test_triage_hands_off_to_billing_and_billing_hands_back() -> None:
    seen = Seen()
    model = ScriptedModel(
        [
            CallFunction("transfer_to_billing", call_id="h1"),
            seen.answer("Billing here."),
            CallFunction("refund", {"order_id": "A1"}, call_id="r1"),
            seen.answer("Refunded."),
            CallFunction("transfer_to_triage_desk", call_id="h2"),
            seen.answer("Triage again."),
        ]
    )
    triage, billing = agents()
    async with Emulator(model=model) as emu:
        async with rtagents.connect(triage, url=emu.url) as session:
            first = await turn(session, "I want a refund")
            assert session.agent is billing
            second = await turn(session, "Order A1 please")
            third = await turn(session, "Thanks, back to the desk")
            assert session.agent is triage
            history = session.history
            updates = frames(emu, "session.update")
            creates = frames(emu, "response.create")
    events = first + second + third

    # One transfer tool per target, named after it.
    configured = [sorted(t["name"] for t in u["session"]["tools"]) for u in updates]
    assert configured == [
        ["transfer_to_billing"],
        ["refund", "transfer_to_triage_desk"],
        ["transfer_to_billing"],
    ]
    # Each handoff is one session.update, with the new agent's instructions.
    assert [u["session"].get("instructions") for u in updates] == [
        triage.instructions,
        billing.instructions,
        triage.instructions,
    ]
    # The model's next turn runs as the new agent, and is told who took over.
    assert seen.turns[0][:2] == (billing.instructions, ["refund", "transfer_to_triage_desk"])
    assert "billing" in seen.turns[0][2][0]
    assert seen.turns[1] == (
        billing.instructions,
        ["refund", "transfer_to_triage_desk"],
        ["order A1 refunded"],
    )
    assert seen.turns[2][:2] == (triage.instructions, ["transfer_to_billing"])
    assert "Triage desk" in seen.turns[2][2][0]

    handoffs = [e for e in events if e.type == "handoff"]
    assert [(e.from_agent, e.to_agent, e.call_id) for e in handoffs] == [
        ("Triage desk", "billing", "h1"),
        ("billing", "Triage desk", "h2"),
    ]
    # Exactly one response.create per batch (the app asked three times, each batch once).
    requested = [e.call_ids for e in events if e.type == "response.requested"]
    assert requested == [("h1",), ("r1",), ("h2",)]
    assert len(creates) == 6
    completed = [e.name for e in events if e.type == "tool.call.completed"]
    assert completed == ["transfer_to_billing", "refund", "transfer_to_triage_desk"]

    # The conversation is kept: both agents' turns are in it.
    said = [
        part.text
        for item in history
        if item.type == "message" and item.role == "assistant"
        for part in item.content
    ]
    assert said == ["Billing here.", "Refunded.", "Triage again."]
    calls = [item.name for item in history if item.type == "function_call"]
    assert calls == ["transfer_to_billing", "refund", "transfer_to_triage_desk"]


async def test_names_and_descriptions_can_be_given() -> None:
    billing = rtagents.Agent(
        name="billing", instructions="Refunds.", handoff_description="Refunds and invoices."
    )
    sales = rtagents.Agent(name="sales", instructions="You sell.")
    triage = rtagents.Agent(
        name="triage",
        handoffs=[
            billing,
            rtagents.handoff(sales, tool_name="call_sales", description="Anything to buy."),
        ],
    )
    model = ScriptedModel([Say("hi")])
    async with Emulator(model=model) as emu:
        async with rtagents.connect(triage, url=emu.url):
            [update] = frames(emu, "session.update")
    tools = {t["name"]: t for t in update["session"]["tools"]}
    assert sorted(tools) == ["call_sales", "transfer_to_billing"]
    assert "Refunds and invoices." in tools["transfer_to_billing"]["description"]
    assert tools["call_sales"]["description"] == "Anything to buy."
    assert tools["call_sales"]["parameters"]["type"] == "object"


async def test_handoffs_in_a_row_are_bounded() -> None:
    seen = Seen()
    # The model ping-pongs without the user speaking: the third transfer is refused.
    model = ScriptedModel(
        [
            CallFunction("transfer_to_billing", call_id="h1"),
            CallFunction("transfer_to_triage_desk", call_id="h2"),
            CallFunction("transfer_to_billing", call_id="h3"),
            seen.answer("Let me help you myself."),
            CallFunction("transfer_to_billing", call_id="h4"),
            seen.answer("Billing here."),
        ]
    )
    triage, billing = agents(max_handoffs=2)
    billing.max_handoffs = 2
    async with Emulator(model=model) as emu:
        async with rtagents.connect(triage, url=emu.url) as session:
            events = await turn(session, "I want a refund")
            refused_in = session.agent
            # The user speaks: the count starts again.
            events += await turn(session, "Please, billing")
            now = session.agent
            updates = frames(emu, "session.update")
    handoffs = [(e.from_agent, e.to_agent) for e in events if e.type == "handoff"]
    assert handoffs == [
        ("Triage desk", "billing"),
        ("billing", "Triage desk"),
        ("Triage desk", "billing"),
    ]
    assert refused_in is triage and now is billing
    [failed] = [e for e in events if e.type == "tool.call.failed"]
    assert failed.call_id == "h3" and failed.kind == "error"
    told = json.loads(failed.output)
    assert "max_handoffs" in told["message"] and "2" in told["message"], told
    assert seen.turns[0][0] == triage.instructions  # not switched
    assert told["message"] in seen.turns[0][2][-1]  # the model is told why
    assert len(updates) == 1 + 3  # the refused transfer sent none


async def test_a_target_that_is_not_an_agent_is_refused_clearly() -> None:
    with pytest.raises(TypeError, match="handoffs"):
        rtagents.Agent(name="triage", handoffs=["billing"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="tool name"):
        rtagents.handoff(rtagents.Agent(name="b"), tool_name="not a name")


async def answered(session: rtagents.RealtimeSession, text: str) -> list[SessionEvent]:
    """Say ``text``; the events until a response ends with a message (spoken or written)."""
    await session.send_text(text)
    events: list[SessionEvent] = []
    with anyio.fail_after(10):
        async for event in session:
            events.append(event)
            if event.type == "response.done" and any(
                item.type == "message" for item in event.response.output or []
            ):
                return events
        else:
            pytest.fail("the session ended before the answer")
    raise AssertionError("unreachable")


async def test_the_voice_changes_only_while_no_assistant_audio_went_out() -> None:
    billing = rtagents.Agent(name="billing", voice="cedar", handoffs=[lambda: triage])
    triage = rtagents.Agent(name="triage", voice="marin", handoffs=[billing])
    model = ScriptedModel(
        [
            CallFunction("transfer_to_billing", call_id="h1"),
            "Billing here.",
            CallFunction("transfer_to_triage", call_id="h2"),
            "Triage again.",
        ]
    )
    async with Emulator(model=model) as emu:
        async with rtagents.connect(triage, url=emu.url) as session:
            events = await answered(session, "refund please")
            assert session.config["audio"]["output"]["voice"] == "cedar"
            events += await answered(session, "back to triage")
            voice_now = session.config["audio"]["output"]["voice"]
            updates = frames(emu, "session.update")
            assert session.agent is triage
    voices = [u["session"].get("audio", {}).get("output", {}).get("voice") for u in updates]
    # Before any audio, billing's voice goes with its instructions; after billing spoke,
    # the Realtime API would refuse a new voice: the handoff leaves it out, and says so.
    assert voices == ["marin", "cedar", None]
    assert voice_now == "cedar"
    assert [(e.from_agent, e.to_agent) for e in events if e.type == "handoff"] == [
        ("triage", "billing"),
        ("billing", "triage"),
    ]
    assert not [e for e in events if e.type == "error"]
    [warning] = [e for e in events if e.type == "session.warning"]
    assert "voice" in warning.message and warning.detail == {"agent": "triage"}


async def test_a_transfer_that_needs_approval_goes_to_the_policy_first() -> None:
    billing = rtagents.Agent(name="billing", instructions="Refunds.")
    triage = rtagents.Agent(
        name="triage",
        handoffs=[rtagents.handoff(billing, needs_approval=True)],
        approval=rtagents.ApprovalPolicy(rules=[rtagents.deny(tool="transfer_to_*")]),
        output_modalities=["text"],
    )
    seen = Seen()
    model = ScriptedModel([CallFunction("transfer_to_billing", call_id="h1"), seen.answer("OK.")])
    async with Emulator(model=model) as emu:
        async with rtagents.connect(triage, url=emu.url) as session:
            events = await turn(session, "billing please")
            assert session.agent is triage
            updates = frames(emu, "session.update")
    [failed] = [e for e in events if e.type == "tool.call.failed"]
    assert failed.kind == "denied"
    assert not [e for e in events if e.type == "handoff"]
    assert len(updates) == 1
    assert seen.turns[0][1] == ["transfer_to_billing"]


async def test_a_sessions_handoffs_go_with_it() -> None:
    triage, _ = agents()
    async with Emulator(model=ScriptedModel([])) as emu:
        async with rtagents.connect(triage, url=emu.url) as session:
            runner = weakref.ref(session._runner)
        del session
    gc.collect()
    # Nothing the handoffs keep (their tools, their watch on the user's turns) holds it.
    assert runner() is None


@rtagents.tool
def take_note(text: str) -> str:
    """Note what the user asked for."""
    return f"noted: {text}"


@pytest.mark.parametrize("transfer_first", [True, False])
async def test_a_call_beside_the_transfer_runs_with_the_tools_its_response_had(
    transfer_first: bool,
) -> None:
    # The model's response was made with the leaving agent's tools: a call of one of them in
    # the same response runs, whether it comes before the transfer or after it.
    billing = rtagents.Agent(name="billing", tools=[refund], output_modalities=["text"])
    triage = rtagents.Agent(
        name="triage", tools=[take_note], handoffs=[billing], output_modalities=["text"]
    )
    calls = [
        CallFunction("transfer_to_billing", call_id="h1"),
        CallFunction("take_note", {"text": "refund A1"}, call_id="n1"),
    ]
    seen = Seen()
    model = ScriptedModel([calls if transfer_first else calls[::-1], seen.answer("Billing.")])
    async with Emulator(model=model) as emu:
        async with rtagents.connect(triage, url=emu.url) as session:
            events = await turn(session, "a refund, and note it")
            assert session.agent is billing
    assert not [e for e in events if e.type == "tool.call.failed"]
    completed = {e.call_id: e.output for e in events if e.type == "tool.call.completed"}
    assert completed["n1"] == "noted: refund A1"
    # One response answers both, as the new agent.
    [requested] = [set(e.call_ids) for e in events if e.type == "response.requested"]
    assert requested == {"h1", "n1"}
    assert seen.turns[0][1] == ["refund"]
    assert sorted(seen.turns[0][2]) == [
        "Transferred: billing has the conversation now and answers from here on. Go on as billing.",
        "noted: refund A1",
    ]


async def test_a_call_beside_the_transfer_is_decided_by_the_leaving_agents_policy() -> None:
    # The agent taking over allows everything: the call its response did not make is still
    # decided by the rules of the agent whose response made it, never by the new ones.
    billing = rtagents.Agent(
        name="billing",
        tools=[take_note],
        approval=rtagents.ApprovalPolicy(rules=[rtagents.allow(tool="*")]),
        output_modalities=["text"],
    )
    triage = rtagents.Agent(
        name="triage",
        tools=[take_note],
        handoffs=[billing],
        approval=rtagents.ApprovalPolicy(
            rules=[rtagents.deny(tool="take_note", reason="triage takes no notes")]
        ),
        output_modalities=["text"],
    )
    calls = [
        CallFunction("transfer_to_billing", call_id="h1"),
        CallFunction("take_note", {"text": "x"}, call_id="n1"),
    ]
    model = ScriptedModel([calls, Seen().answer("Billing.")])
    async with Emulator(model=model) as emu:
        async with rtagents.connect(triage, url=emu.url) as session:
            events = await turn(session, "note it")
            assert session.agent is billing
    [failed] = [e for e in events if e.type == "tool.call.failed"]
    assert (failed.call_id, failed.kind) == ("n1", "denied")
    assert "triage takes no notes" in failed.message
