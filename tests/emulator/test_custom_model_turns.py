"""A model of the app's own (``Model``: anything with ``respond``) may answer as a script's
turn does: a string, a list of strings and outputs, sync or async. A list of strings was
taken as outputs and said nothing; a plain string was said a character a turn."""

from __future__ import annotations

from typing import Any

import pytest

import rtagents
from rtagents.emulator import ModelContext, Say
from rtagents.testing import run_agent

pytestmark = pytest.mark.anyio


class Echo:
    def __init__(self, answer: Any) -> None:
        self.answer = answer

    def respond(self, ctx: ModelContext) -> Any:
        return self.answer


@pytest.mark.parametrize("answer", ["Hi there.", ["Hi there."], [Say("Hi there.")]], ids=repr)
async def test_a_custom_models_turn_is_read_as_a_scripts(answer: Any) -> None:
    agent = rtagents.Agent(name="a", output_modalities=["text"])
    record = await run_agent(agent, Echo(answer), "Hello.", within=10)
    assert record.reply == "Hi there."
