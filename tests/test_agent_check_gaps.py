"""``agent.check()`` "raises the TypeError or ValueError that names the field it cannot run
with" (docs/agent.md), when the agent is made and whenever a session takes it. Three fields
slip through: ``live`` given as a dict of its options (as ``tracing`` may be) is taken, and
``connect(api="live")`` then fails deep inside with ``AttributeError: 'dict' object has no
attribute 'model'``; ``filler_instructions`` that is not a str fails with a bare
``AttributeError`` from ``.strip()``; ``session_options`` that is not a dict is taken, and
every ``connect`` fails with ``AttributeError: 'list' object has no attribute 'items'``."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import Emulator, ScriptedModel


@pytest.mark.parametrize(
    "field, value",
    [
        ("live", {"backend_model": "gpt-5.5"}),
        ("filler_instructions", 5),
        ("session_options", [("truncation", "disabled")]),
    ],
)
def test_a_field_the_agent_cannot_run_with_is_named_when_it_is_made(field: str, value: Any) -> None:
    with pytest.raises((TypeError, ValueError), match=field):
        rtagents.Agent(name="a", **{field: value})
    # observed: live and session_options accepted; filler_instructions: AttributeError


def test_connect_on_live_with_live_options_as_a_dict_fails_naming_the_field() -> None:
    async def main() -> None:
        agent = rtagents.Agent(name="a")
        agent.live = {"backend_model": "gpt-5.5"}  # type: ignore[assignment]  # (in place)
        async with Emulator(model=ScriptedModel([])) as emu:
            with anyio.fail_after(10):
                async with rtagents.connect(agent, url=emu.live_url, api="live"):
                    pass

    with pytest.raises((TypeError, ValueError), match="live"):
        anyio.run(main)
    # observed: AttributeError: 'dict' object has no attribute 'model'
