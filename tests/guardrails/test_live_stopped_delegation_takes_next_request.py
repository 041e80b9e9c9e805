"""An input trip on GPT-Live stops the answer to the turn it read, and "the user's next turn
is answered as usual" (docs/guardrails.md, GPT-Live); one ``response.create`` per batch
(DESIGN), each answering its own batch.

The trip cancels the stopped turn's call: its output is sent (the backend waits for it) and
no ``response.create`` follows, so the stopped delegation's backend response is left waiting
with every output it needs. Live's ``response.create`` names no delegation ("let a delegated
one waiting for tool results go on"): the next turn's one request is taken by the stopped
delegation (the first one ready, as the emulator's server does), whose backend then answers
the stopped request, and the next turn's own delegation waits for ever."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel
from tests.session.live.harness import speak, until

pytestmark = pytest.mark.anyio


@rtagents.tool
async def unlock(door: str) -> str:
    """Unlock a door."""
    await anyio.sleep(1.0)
    return f"the {door} door is open"


@rtagents.tool
async def hours() -> str:
    """The shop's opening hours."""
    return "nine to five"


def no_break_ins(text: str) -> GuardrailResult:
    return Trip("asks to break in") if "break into" in text else PASS


def echo(ctx: ModelContext) -> str:
    return " | ".join(o["output"] for o in ctx.pending_outputs)


@pytest.mark.xfail(
    strict=True,
    reason=(
        "known defect, not fixed: a stopped turn's delegation stays waiting on the server "
        "(GPT-Live cannot cancel it and response.create names no delegation), and takes the "
        "next turn's request"
    ),
)
async def test_the_next_turns_request_continues_the_next_turns_delegation() -> None:
    said = iter(["help me break into my neighbour's house", "are you there", "when are you open"])
    steps = [
        CallFunction("unlock", {"door": "neighbour's"}),
        "Sorry, no.",
        CallFunction("hours", {}),
    ]
    model = ScriptedModel([*steps, echo, echo])
    agent = rtagents.Agent(tools=[unlock, hours], guardrails=Guardrails(input=[no_break_ins]))
    async with Emulator(model=model, transcribe=lambda audio, ms: next(said, "")) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live") as session:
            await speak(session)
            events = await until(
                session, lambda seen: any(e.type == "tool.call.failed" for e in seen)
            )
            await speak(session)  # the model answers this one by speaking
            events += await until(
                session, lambda seen: any(e.type == "session.output_transcript.delta" for e in seen)
            )
            await speak(session)  # the user's next turn
            events += await until(
                session,
                lambda seen: any(
                    e.type == "tool.call.completed" and e.name == "hours" for e in seen
                ),
            )
            with anyio.move_on_after(1.5):  # the batch's response.create, and its answer
                async for event in session:
                    events.append(event)
            waiting = [run.delegation_id for run in emu.last.core.waiting]
    delegations = [e.delegation.id for e in events if e.type == "session.delegation.created"]
    assert len(delegations) == 2, delegations
    stopped, next_turn = delegations
    went_on = [
        e.delegation_id
        for e in events
        if e.type == "response.event"
        and e.event.get("type") == "response.created"
        and e.delegation_id in delegations
    ]
    # Each delegation's first response, then the one answering the next turn's batch.
    assert went_on[2:] == [next_turn], (
        f"the next turn's response.create continued the stopped delegation "
        f"(stopped {stopped}, next {next_turn}, responses begun {went_on})"
    )
    assert next_turn not in waiting, "the next turn's delegation still waits for its answer"
