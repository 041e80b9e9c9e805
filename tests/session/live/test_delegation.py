"""The agent's ``on_delegation`` hook, sans socket: what each answer becomes."""

from __future__ import annotations

import json
from typing import Any

import pytest

import rtagents
from rtagents import Thinking
from rtagents.session.actions import Emit, Send, StartDelegation
from rtagents.session.delegation import FAILED, delegate
from rtagents.session.live import LiveCore

pytestmark = pytest.mark.anyio
ACTION = StartDelegation(
    "del_1", (("user", "Where is "), ("assistant", "One moment."), ("user", "order 7?"))
)


async def answered(hook: Any) -> list[Any]:
    core = LiveCore(lambda name, response_id: None)
    actions = await delegate(rtagents.Agent(on_delegation=hook), ACTION, "the session", core)
    return [
        json.loads(core.encode(a.event)) if isinstance(a, Send) else a.event.message
        for a in actions
        if isinstance(a, (Send, Emit))
    ]


async def test_a_str_is_commentary_and_thinking_is_silent() -> None:
    [said] = await answered(lambda d: "It ships tomorrow.")
    assert (said["type"], said["content"], said["delegation_id"]) == (
        "session.commentary.append",
        "It ships tomorrow.",
        "del_1",
    )

    async def silent(delegation: rtagents.Delegation) -> Thinking:
        return Thinking("Looking it up.")

    [thought] = await answered(silent)
    assert (thought["type"], thought["content"]) == ("session.thinking.append", "Looking it up.")


async def test_the_hook_gets_the_delegation() -> None:
    got: list[rtagents.Delegation] = []
    await answered(lambda d: got.append(d))
    [delegation] = got
    assert (delegation.id, delegation.session) == ("del_1", "the session")
    assert [u.role for u in delegation.transcript] == ["user", "assistant", "user"]
    assert delegation.user_text == "Where is order 7?"


async def test_none_answers_nothing_and_a_wrong_answer_is_a_failure_the_model_is_told() -> None:
    assert await answered(lambda d: None) == []
    warning, told = await answered(lambda d: 42)
    assert warning == (
        "on_delegation failed: TypeError: it returned 42: give a str, a Thinking(str) or None"
    )
    assert (told["type"], told["content"]) == ("session.thinking.append", FAILED)
    core = LiveCore(lambda name, response_id: None)
    assert await delegate(rtagents.Agent(), ACTION, None, core) == []  # no hook: the app's


async def test_a_failing_hook_tells_the_model_silently() -> None:
    def broken(delegation: rtagents.Delegation) -> str:
        raise KeyError("order")

    warning, thought = await answered(broken)
    assert warning == "on_delegation failed: KeyError: 'order'"
    assert (thought["type"], thought["content"]) == ("session.thinking.append", FAILED)
