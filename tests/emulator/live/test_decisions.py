"""GPT-Live's Decisions in the emulator, sans I/O: a ``decisions`` delegation and transcript
triggers answered with ``decision.event`` by the emulator's keyword rule, ``decision.create``,
and the Decision items (every frame checked by the openai SDK's Live types)."""

from __future__ import annotations

from typing import Any

from rtagents.emulator.models import CallFunction, Say

from .oracle import types
from .sansio import Live

ROUTE = {
    "type": "choice",
    "name": "route",
    "instructions": "Which team should handle this?",
    "choices": [{"value": "billing"}, {"value": "technical support"}, {"value": "other"}],
}
ANGRY = {"type": "predicate", "name": "angry", "instructions": "Is the caller furious?"}
URGENCY = {
    "type": "score",
    "name": "urgency",
    "instructions": "How urgent is it?",
    "levels": [{"label": "low"}, {"label": "medium"}, {"label": "high"}],
}
CONFIRM = {
    "type": "choice",
    "name": "confirmed",
    "instructions": "Did the user confirm?",
    "choices": [{"value": True}, {"value": False}],
}


def decisions(*questions: dict[str, Any], model: str = "gpt-5.4-mini") -> dict[str, Any]:
    return {"type": "decisions", "decisions": {"model": model, "questions": list(questions)}}


def trigger(*questions: dict[str, Any], on: str = "input") -> dict[str, Any]:
    return {
        "type": "decisions",
        "event_type": f"session.{on}_transcript.delta",
        "decisions": {"questions": list(questions)},
    }


def hears(text: str) -> Any:
    return lambda data, ms: text


def answers(event: dict[str, Any]) -> list[dict[str, Any]]:
    assert event["event"]["type"] == "decision.completed"
    return event["event"]["decision"]["answers"]  # type: ignore[no-any-return]


def test_a_decisions_delegation_is_accepted_and_shown_with_its_defaults() -> None:
    live = Live()
    session = live.start(delegation=decisions(ROUTE))
    assert session["delegation"] == {
        "type": "decisions",
        "decisions": {"model": "gpt-5.4-mini", "questions": [ROUTE]},
        "acknowledgement_delay_ms": 400,
    }
    update = {"type": "decisions", "decisions": {"questions": [ROUTE, ANGRY]}}
    events = live.send({"type": "session.update", "session": {"delegation": update}})
    delegation = events[0]["session"]["delegation"]
    assert delegation["decisions"] == {"model": "gpt-5.4-mini", "questions": [ROUTE, ANGRY]}


def test_a_delegated_turn_is_answered_by_a_decision_event() -> None:
    live = Live(
        [[Say("One moment."), CallFunction("route_call", {})]],
        transcribe=hears("My bill is wrong and I am furious, this is high priority"),
    )
    live.start(delegation=decisions(ROUTE, ANGRY, URGENCY))
    events = live.turn()
    kinds = types(events)
    created = next(e for e in events if e["type"] == "session.delegation.created")
    assert created["delegation"]["target"] == "decisions"
    assert kinds.index("session.delegation.created") < kinds.index("decision.event")
    event = next(e for e in events if e["type"] == "decision.event")
    assert event["delegation_id"] == created["delegation"]["id"]
    assert event["event"]["decision"]["model"] == "gpt-5.4-mini"
    assert (event["trigger_id"], event["source_event_id"], event["source_event_type"]) == (
        None,
        None,
        None,
    )
    route, angry, urgency = answers(event)
    # "billing" is not a word of the transcript ("bill" is): no choice matches.
    assert route == {
        "type": "choice",
        "name": "route",
        "choice": "billing",
        "confidence": 1 / 3,
        "probabilities": [
            {"value": "billing", "probability": 1 / 3},
            {"value": "technical support", "probability": 1 / 3},
            {"value": "other", "probability": 1 / 3},
        ],
    }
    assert angry == {"type": "predicate", "name": "angry", "probability": 1.0}
    assert urgency["score"] == 2.0 and urgency["confidence"] == 1.0
    assert [p["probability"] for p in urgency["probabilities"]] == [0.0, 0.0, 1.0]
    assert [(p["label"], p["value"]) for p in urgency["probabilities"]] == [
        ("low", 0),
        ("medium", 1),
        ("high", 2),
    ]
    usage = event["event"]["decision"]["usage"]
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"] > 0


def test_an_input_trigger_fires_on_every_input_transcript_delta() -> None:
    live = Live(["Sure."], transcribe=hears("technical support please"))
    session = live.start(triggers=[trigger(ROUTE, CONFIRM)])
    assert session["triggers"] == [trigger(ROUTE, CONFIRM)]
    events = live.turn()
    deltas = [e for e in events if e["type"] == "session.input_transcript.delta"]
    fired = [e for e in events if e["type"] == "decision.event"]
    assert len(fired) == len(deltas) == 3
    for delta, event in zip(deltas, fired, strict=True):
        assert event["source_event_id"] == delta["event_id"]
        assert event["source_event_type"] == "session.input_transcript.delta"
        assert event["trigger_id"].startswith("trig_")
        assert event["delegation_id"] is None
        assert types(events).index("decision.event") > types(events).index(
            "session.input_transcript.delta"
        )
    # The transcript so far: "technical" alone does not pick "technical support".
    assert [answers(e)[0]["choice"] for e in fired] == [
        "billing",  # nothing matches yet: the first option, at even odds
        "technical support",
        "technical support",
    ]
    confirmed = answers(fired[-1])[1]
    assert (confirmed["choice"], confirmed["confidence"]) == (True, 0.5)  # no yes, no no
    assert len({e["trigger_id"] for e in fired}) == 3


def test_an_output_trigger_fires_on_the_model_s_transcript() -> None:
    live = Live(["Yes, done."], transcribe=hears("hello"))
    live.start(triggers=[trigger(CONFIRM, on="output")])
    events = live.turn()
    fired = [e for e in events if e["type"] == "decision.event"]
    outputs = [e for e in events if e["type"] == "session.output_transcript.delta"]
    assert [e["source_event_id"] for e in fired] == [e["event_id"] for e in outputs]
    assert answers(fired[0])[0]["choice"] is True  # "yes" says True


def test_triggers_are_checked_changed_and_removed_by_session_update() -> None:
    live = Live()
    error = live.error_for(
        {
            "type": "session.start",
            "session": {"model": "gpt-live-1", "triggers": [trigger(ROUTE), trigger(ANGRY)]},
        }
    )
    assert (error["code"], error["param"]) == ("invalid_value", "session.triggers")
    live.start(triggers=[trigger(ROUTE)])
    events = live.send({"type": "session.update", "session": {"triggers": []}})
    assert events[0]["session"]["triggers"] == []


def test_decision_create_evaluates_now_and_never_reuses_an_event_id() -> None:
    live = Live()
    live.start(delegation=decisions(ROUTE))
    item = {"type": "message", "role": "user", "content": "I need technical support"}
    events = live.send({"type": "decision.item.create", "item": item}, event_id="i1")
    assert types(events) == ["decision.item.created"]
    created = events[0]
    assert created["client_event_id"] == "i1"
    item_id = created["item"]["id"]
    assert created["item"] == {**item, "id": item_id}

    events = live.send({"type": "decision.create", "event_id": "d1"})
    assert types(events) == ["decision.event"]
    assert answers(events[0])[0]["choice"] == "technical support"
    assert events[0]["delegation_id"] is None

    error = live.error_for({"type": "decision.create", "event_id": "d1"})
    assert (error["code"], error["param"]) == ("invalid_value", "event_id")

    events = live.send({"type": "decision.item.delete", "item_id": item_id}, event_id="x1")
    assert types(events) == ["decision.item.deleted"]
    assert (events[0]["item_id"], events[0]["client_event_id"]) == (item_id, "x1")
    events = live.send({"type": "decision.create", "event_id": "d2"})
    assert answers(events[0])[0]["choice"] == "billing"  # nothing matches any more

    error = live.error_for({"type": "decision.item.delete", "item_id": item_id})
    assert (error["code"], error["param"]) == ("invalid_value", "item_id")


def test_decision_create_needs_a_decisions_delegation() -> None:
    live = Live()
    live.start()
    error = live.error_for({"type": "decision.create", "event_id": "d1"})
    assert error["code"] == "decisions_delegation_required"
