"""``tool_choice`` (the session's, and response.create's) is ignored: the model is handed
every tool whatever the choice, so the emulator's own model calls a function with
``tool_choice: "none"``, which the real API never does."""

from __future__ import annotations

from typing import Any

from rtagents.emulator.rule_model import RuleModel

from ..emulator.sansio import Core

WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
}
TIME = {
    "type": "function",
    "name": "get_time",
    "description": "time in a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
}


def _asked_weather(session: dict[str, Any]) -> Core:
    model = RuleModel()
    c = Core([model.respond] * 4)
    c.send({"type": "session.update", "session": {"type": "realtime", **session}})
    text = [{"type": "input_text", "text": "What is the weather in Paris?"}]
    c.send(
        {
            "type": "conversation.item.create",
            "item": {"type": "message", "role": "user", "content": text},
        }
    )
    return c


def _output_types(events: list[dict[str, Any]]) -> list[str]:
    return [e["item"]["type"] for e in events if e["type"] == "response.output_item.done"]


def test_session_tool_choice_none_calls_no_tool() -> None:
    c = _asked_weather({"output_modalities": ["text"], "tools": [WEATHER], "tool_choice": "none"})
    out = _output_types(c.send({"type": "response.create"}))
    assert out == ["message"]


def test_response_tool_choice_none_calls_no_tool() -> None:
    c = _asked_weather({"output_modalities": ["text"], "tools": [WEATHER]})
    out = _output_types(c.send({"type": "response.create", "response": {"tool_choice": "none"}}))
    assert out == ["message"]


def test_named_tool_choice_offers_only_that_function() -> None:
    c = _asked_weather({"output_modalities": ["text"], "tools": [WEATHER, TIME]})
    choice = {"type": "function", "name": "get_time"}
    events = c.send({"type": "response.create", "response": {"tool_choice": choice}})
    calls = [
        e["item"]["name"]
        for e in events
        if e["type"] == "response.output_item.done" and e["item"]["type"] == "function_call"
    ]
    assert calls == ["get_time"]
