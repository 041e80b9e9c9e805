"""A switch puts back the server's default of each setting the leaving configuration changed
and the new agent does not set (docs/handoffs.md, "What the new agent leaves out"). The
server applies ``session.update`` events in the order they are sent, so the leaving
configuration is the one sent last, also while its ``session.updated`` is still on its way:
an agent with no ``instructions`` taken right after one that set some never runs on them."""

from __future__ import annotations

import json
from typing import Any

import anyio
import anyio.lowlevel
import pytest

import rtagents
from rtagents.emulator import Emulator, ModelContext, ScriptedModel
from rtagents.session.realtime import RealtimeCore
from tests.session.frames import ev

pytestmark = pytest.mark.anyio

DEFAULT = "You are a helpful assistant."
SALES = "You are sales. Push the premium plan in every answer."


def sent(actions: list[Any]) -> dict[str, Any]:
    session: dict[str, Any] = json.loads(actions[0].event.model_dump_json(exclude_unset=True))
    return session["session"]


def test_an_update_after_one_in_flight_restates_what_that_one_set() -> None:
    core = RealtimeCore(lambda name: None)
    created = {"type": "realtime", "id": "sess_1", "instructions": DEFAULT, "tool_choice": "auto"}
    core.receive(ev("session.created", session=created))
    core.configure(rtagents.Agent(name="plain"), tools=[], tracing=None)
    core.receive(ev("session.updated", session=created))  # the first one taken
    core.configure(rtagents.Agent(name="sales", instructions=SALES), tools=[], tracing=None)
    # sales' update is on its way (no reply yet) when the next agent is taken
    _, actions = core.configure(rtagents.Agent(name="support"), tools=[], tracing=None)
    assert sent(actions).get("instructions") == DEFAULT, (
        f"support's update leaves sales' instructions in place: {sent(actions)}"
    )


async def test_two_switches_in_a_row_end_on_the_servers_default_instructions() -> None:
    seen: list[str] = []

    def answer(ctx: ModelContext) -> str:
        seen.append(ctx.instructions)
        return "Support here."

    plain = rtagents.Agent(name="plain", output_modalities=["text"])
    sales = rtagents.Agent(name="sales", instructions=SALES, output_modalities=["text"])
    support = rtagents.Agent(name="support", output_modalities=["text"])  # no instructions
    async with Emulator(model=ScriptedModel([answer])) as emu:
        async with rtagents.connect(plain, url=emu.url) as session:
            async with anyio.create_task_group() as tg:
                tg.start_soon(session.update_agent, sales)
                await anyio.lowlevel.checkpoint()  # sales' update goes out first
                tg.start_soon(session.update_agent, support)
            assert session.agent is support
            with anyio.fail_after(10):
                await session.ask("Which plan should I take?")
            instructions = session.config.get("instructions")
    assert seen, "support never answered"
    assert seen[-1] != SALES, "support's turn ran on sales' instructions"
    assert instructions != SALES
