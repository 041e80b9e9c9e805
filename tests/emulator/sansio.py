"""Drives the emulator's sans-I/O server core directly: no socket, no event loop, no sleep.
Every event it emits is checked by the openai SDK's types, as over the wire."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from openai.types.realtime import RealtimeServerEvent
from pydantic import TypeAdapter

from rtagents.emulator.actions import (
    AskModel,
    CallHostedTool,
    Disconnect,
    HostedResult,
    ListHostedTools,
    Send,
)
from rtagents.emulator.core import ServerCore
from rtagents.emulator.models import TurnSource, as_turn
from rtagents.emulator.settings import ServerSettings

ORACLE = TypeAdapter(RealtimeServerEvent)


class Core:
    """A server core with a scripted model: ``send`` a client event, get the events back."""

    def __init__(
        self,
        turns: Sequence[TurnSource] = (),
        *,
        hosted: dict[str, list[dict[str, Any]] | Exception] | None = None,
        call: Callable[[CallHostedTool], HostedResult] | None = None,
        hold_model: bool = False,
        intent: str | None = None,
        **settings: Any,
    ) -> None:
        self.core = ServerCore(ServerSettings(**settings), intent=intent)
        self.turns = list(turns)
        self.hosted = hosted or {}
        self.call = call
        self.hold_model = hold_model
        self.asked: list[AskModel] = []
        self.disconnect: Disconnect | None = None
        self.core.start()
        self.opening = self.run()

    def send(
        self, event: dict[str, Any] | str, *, event_id: str | None = "c1"
    ) -> list[dict[str, Any]]:
        if isinstance(event, dict):
            event = json.dumps({"event_id": event_id, **event} if event_id else event)
        self.core.receive(event)
        return self.run()

    def error_for(self, event: dict[str, Any]) -> dict[str, Any] | None:
        errors = [e["error"] for e in self.send(event) if e["type"] == "error"]
        return errors[0] if errors else None

    def answer(self, turn: TurnSource) -> list[dict[str, Any]]:
        """Answer the model request held back (``hold_model=True``)."""
        ask = self.asked.pop(0)
        self.core.resolve(ask.ticket, as_turn(turn(ask.context) if callable(turn) else turn))
        return self.run()

    def run(
        self, *, until_ms: float | None = None, steps: int | None = None
    ) -> list[dict[str, Any]]:
        """Perform actions until none is left (up to ``until_ms`` on the clock, advancing it
        to each wake-up on the way; at most ``steps`` events when given)."""
        out: list[dict[str, Any]] = []
        while steps is None or len(out) < steps:
            action = self.core.next_action()
            if action is None:
                due = self.core.wake_at()
                if until_ms is not None and due is not None and due <= until_ms:
                    self.core.advance(due)
                    continue
                break
            if isinstance(action, Send):
                event = action.event.model_dump(mode="json", by_alias=True, exclude_unset=True)
                ORACLE.validate_python(event)
                out.append(event)
            elif isinstance(action, AskModel):
                if self.hold_model:
                    self.asked.append(action)
                else:
                    turn = self.turns.pop(0) if self.turns else "(end of script)"
                    turn = turn(action.context) if callable(turn) else turn
                    self.core.resolve(action.ticket, as_turn(turn))
            elif isinstance(action, ListHostedTools):
                listed = self.hosted.get(action.config["server_label"], [])
                self.core.resolve(action.ticket, listed)
            elif isinstance(action, CallHostedTool):
                result = self.call(action) if self.call else HostedResult(output="ok")
                self.core.resolve(action.ticket, result)
            else:
                self.disconnect = action
        return out


def types(events: list[dict[str, Any]]) -> list[str]:
    return [e["type"] for e in events]
