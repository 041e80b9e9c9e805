"""message_for: an async hook's answer (awaited by the session) is used as given, the hook
not called again; a sync hook's coroutine is closed (never left to warn)."""

from __future__ import annotations

import inspect
from typing import Any

from rtagents import Guardrails
from rtagents.approvals.guardrails import GuardrailTrip
from rtagents.approvals.trip_message import message_for


def _trip() -> GuardrailTrip:
    return GuardrailTrip("polite", "output", "rude", "guardrail", "i1", "text")


def test_an_async_hooks_answer_is_used_and_the_hook_not_called_again() -> None:
    calls: list[Any] = []

    async def hook(trip: GuardrailTrip) -> str:
        calls.append(trip)
        return "again"

    assert message_for(Guardrails(message=hook), _trip(), "Said once.") == ("Said once.", None)
    assert calls == []


def test_a_sync_hooks_coroutine_is_closed() -> None:
    async def later() -> str:
        return "never"

    made = later()
    try:
        text, problem = message_for(Guardrails(message=lambda t: made), _trip())  # type: ignore[arg-type,return-value]
        assert text == "Your last answer was stopped by a guardrail (polite): rude"
        assert problem is not None
        assert inspect.getcoroutinestate(made) == inspect.CORO_CLOSED
    finally:
        made.close()
