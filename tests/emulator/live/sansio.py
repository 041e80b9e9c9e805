"""Drives the emulator's GPT-Live core directly: frames in, events out, no socket, no loop.
Every frame sent in and every event out is checked by the openai SDK's Live types."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import Any

from rtagents.emulator import audio
from rtagents.emulator.actions import (
    AskModel,
    CallHostedTool,
    Disconnect,
    HostedResult,
    ListHostedTools,
    Send,
)
from rtagents.emulator.live.core import LiveCore
from rtagents.emulator.models import ModelContext, TurnSource, as_turn
from rtagents.emulator.settings import ServerSettings

from .oracle import check_client, check_server

WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "Weather for a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
}
TIME = {"type": "function", "name": "get_time", "parameters": {"type": "object"}}


def responses(*tools: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A ``responses`` delegation with these tools."""
    return {
        "type": "responses",
        "responses": {"model": "gpt-5.5", "instructions": "Use the tools.", "tools": list(tools)},
        **extra,
    }


def speech(ms: int) -> str:
    return base64.b64encode(audio.tone(ms).tobytes()).decode()


def quiet(ms: int) -> str:
    return base64.b64encode(audio.silence(ms).tobytes()).decode()


class Live:
    """A Live core with a scripted model: ``send`` a client event, get the events back."""

    def __init__(
        self,
        turns: Sequence[TurnSource] = (),
        *,
        hosted: dict[str, list[dict[str, Any]]] | None = None,
        call: Callable[[CallHostedTool], HostedResult] | None = None,
        hold_model: bool = False,
        **settings: Any,
    ) -> None:
        self.core = LiveCore(ServerSettings(**settings))
        self.turns = list(turns)
        self.hosted = hosted or {}
        self.call = call
        self.contexts: list[ModelContext] = []
        self.hold_model = hold_model
        self.asked: list[AskModel] = []
        self.disconnect: Disconnect | None = None
        self.core.start()
        assert self.run() == []  # a Live server says nothing before session.start

    def send(self, event: dict[str, Any], *, event_id: str | None = None) -> list[dict[str, Any]]:
        frame = {**event, "event_id": event_id} if event_id else event
        check_client(frame)
        self.core.receive(json.dumps(frame))
        return self.run()

    def start(self, **session: Any) -> dict[str, Any]:
        """``session.start``; the ``session`` of its ``session.started``."""
        events = self.send({"type": "session.start", "session": {"model": "gpt-live-1", **session}})
        assert [e["type"] for e in events] == ["session.started"], events
        return events[0]["session"]  # type: ignore[no-any-return]

    def error_for(self, event: dict[str, Any], **kw: Any) -> dict[str, Any]:
        errors = [e["error"] for e in self.send(event, **kw) if e["type"] == "error"]
        assert len(errors) == 1, errors
        return errors[0]  # type: ignore[no-any-return]

    def turn(self, ms: int = 600) -> list[dict[str, Any]]:
        """The user speaks for ``ms``, then is silent long enough for the turn to end."""
        out = self.send({"type": "session.input_audio.append", "audio": speech(ms)})
        return out + self.send({"type": "session.input_audio.append", "audio": quiet(400)})

    def answer(self, turn: TurnSource, *, index: int = 0) -> list[dict[str, Any]]:
        """Answer a model request held back (``hold_model=True``), the oldest by default."""
        ask = self.asked.pop(index)
        self.core.resolve(ask.ticket, as_turn(turn(ask.context) if callable(turn) else turn))
        return self.run()

    def run(self, *, until_ms: float | None = None) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        while True:
            action = self.core.next_action()
            if action is None:
                due = self.core.wake_at()
                if until_ms is not None and due is not None and due <= until_ms:
                    self.core.advance(due)
                    continue
                return out
            if isinstance(action, Send):
                event = action.event.model_dump(mode="json", by_alias=True, exclude_unset=True)
                check_server(event)
                out.append(event)
            elif isinstance(action, AskModel) and self.hold_model:
                self.asked.append(action)
            elif isinstance(action, AskModel):
                self.contexts.append(action.context)
                turn = self.turns.pop(0) if self.turns else "(end of script)"
                turn = turn(action.context) if callable(turn) else turn
                self.core.resolve(action.ticket, as_turn(turn))
            elif isinstance(action, ListHostedTools):
                self.core.resolve(action.ticket, self.hosted.get(action.config["server_label"], []))
            elif isinstance(action, CallHostedTool):
                result = self.call(action) if self.call else HostedResult(output="ok")
                self.core.resolve(action.ticket, result)
            else:
                self.disconnect = action
                return out


def said(events: list[dict[str, Any]]) -> str:
    """What the Live model said: its output transcript deltas, joined."""
    return "".join(e["delta"] for e in events if e["type"] == "session.output_transcript.delta")


def heard(events: list[dict[str, Any]]) -> str:
    return "".join(e["delta"] for e in events if e["type"] == "session.input_transcript.delta")
