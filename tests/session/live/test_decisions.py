"""A ``decisions`` agent on GPT-Live: ``LiveOptions(delegation="decisions", decisions=...)``
becomes the session's Decisions delegation, and the app receives each ``decision.event``
typed (here from the emulator, over a real loopback socket)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from openai.types.live import ClientEvent
from pydantic import TypeAdapter

import rtagents
from rtagents.emulator import CallFunction, Emulator, Say, ScriptedModel
from rtagents.protocol import live as lp
from rtagents.session import live_config

from .harness import speak, until

pytestmark = pytest.mark.anyio
SDK = TypeAdapter[Any](ClientEvent)
ROUTE = {
    "type": "choice",
    "name": "route",
    "instructions": "Which team should handle this?",
    "choices": [{"value": "billing"}, {"value": "refunds"}],
}
DECISIONS = {"model": "gpt-5.4-mini", "questions": [ROUTE]}


def agent(decisions: Any = DECISIONS) -> rtagents.Agent:
    live = rtagents.LiveOptions(delegation="decisions", decisions=decisions)
    return rtagents.Agent(instructions="Route the caller.", live=live)


@pytest.mark.parametrize("given", [DECISIONS, lp.DecisionsConfig.model_validate(DECISIONS)])
def test_the_agent_declares_a_decisions_delegation(given: Any) -> None:
    config, notes = live_config.start_config(agent(given), [])
    frame = json.loads(lp.encode_live_client_event(lp.SessionStart(session=config)))
    SDK.validate_python(frame)
    assert frame["session"]["delegation"] == {"type": "decisions", "decisions": DECISIONS}
    assert notes == []


def test_a_decisions_delegation_needs_its_questions() -> None:
    with pytest.raises(ValueError, match="decisions"):
        live_config.start_config(agent(None), [])


async def test_the_app_receives_the_decision_event() -> None:
    model = ScriptedModel([[Say("One moment."), CallFunction("route_call", {})]])
    async with Emulator(model=model, transcribe=lambda data, ms: "I want refunds") as emu:
        async with rtagents.connect(agent(), url=emu.live_url, api="live") as session:
            await speak(session)
            events = await until(session, lambda seen: seen[-1].type == "decision.event")
        frames = list(emu.last.received)
    for frame in frames:
        SDK.validate_python(frame)
    assert frames[0]["session"]["delegation"]["type"] == "decisions"
    decided = events[-1]
    assert isinstance(decided, lp.DecisionEvent)
    assert isinstance(decided.event, lp.DecisionCompleted)
    answer = decided.event.decision.answers[0]
    assert isinstance(answer, lp.ChoiceAnswer) and answer.choice == "refunds"
    created = next(e for e in events if e.type == "session.delegation.created")
    assert decided.delegation_id == created.delegation.id
