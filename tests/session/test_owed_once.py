"""An output is asked to be answered once per connection: when the response that answered
our request is over and the server never confirmed the output on this connection (it had it
already, refused it as a duplicate, or the journal could not give it back), it is given up,
with a warning. Before, every response's end asked for it again, without end."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import (
    CallFunction,
    DropConnection,
    Emulator,
    ModelContext,
    Say,
    ScriptedModel,
)
from rtagents.session.actions import AskResponse, Emit, ToolTraits
from rtagents.session.events import SessionWarning
from rtagents.session.orchestrator import Orchestrator
from rtagents.session.states import LinkInput

pytestmark = pytest.mark.anyio


def test_an_output_never_confirmed_after_a_reconnect_is_asked_for_once() -> None:
    o = Orchestrator(lambda name: ToolTraits(), "evt_")
    o.call_arrived("c1", "charge", "{}", "resp_1", "item_1")
    o.response_ended("resp_1")
    o.call_finished("c1", "charged")
    o.link_event(LinkInput.DROPPED)
    o.link_event(LinkInput.REOPENED)
    [ask] = [d for d in o.owed() if isinstance(d, AskResponse)]
    assert ask.call_ids == ("c1",)
    o.response_started("resp_2", in_conversation=True)  # c1 was never confirmed here
    ended = o.response_ended("resp_2")
    assert not [d for d in ended if isinstance(d, AskResponse)]
    [warning] = [d.event for d in ended if isinstance(d, Emit)]
    assert isinstance(warning, SessionWarning) and warning.detail == {"call_ids": ["c1"]}
    for n in range(3, 6):  # later responses ask for nothing more
        o.response_started(f"resp_{n}", in_conversation=True)
        assert not [d for d in o.response_ended(f"resp_{n}") if isinstance(d, AskResponse)]


def test_a_confirmed_output_is_answered_with_no_warning() -> None:
    o = Orchestrator(lambda name: ToolTraits(), "evt_")
    o.call_arrived("c1", "charge", "{}", "resp_1", "item_1")
    o.response_ended("resp_1")
    asks = [d for d in o.call_finished("c1", "charged") if isinstance(d, AskResponse)]
    assert [a.call_ids for a in asks] == [("c1",)]
    o.output_confirmed("c1")
    o.response_started("resp_2", in_conversation=True)
    assert o.response_ended("resp_2") == []


@rtagents.tool
async def export() -> str:
    """The whole export."""
    return "x" * 70_000  # past the journal's bound: a replay cannot give it back


async def test_an_output_the_replay_cannot_give_back_is_asked_for_once() -> None:
    def answer(ctx: ModelContext) -> list[Any]:
        outputs = [i for i in ctx.items if i.get("type") == "function_call_output"]
        return [Say(f"outputs seen: {len(outputs)}")]

    model = ScriptedModel([CallFunction("export", call_id="call_1"), *[answer] * 20])
    agent = rtagents.Agent(name="a", tools=[export], output_modalities=["text"])
    warnings: list[Any] = []
    async with Emulator(model=model) as emu:
        fast = rtagents.Reconnect(backoff=0.01, max_backoff=0.05)
        async with rtagents.connect(agent, url=emu.url, reconnect=fast) as session:
            session.on("session.warning")(warnings.append)
            # The drop comes while the response answering the output runs.
            emu.last.add_fault(DropConnection(after="response.created", nth=2))
            await session.send_text("export please")
            with anyio.fail_after(5):
                while len(emu.connections) < 2 or not [
                    w for w in warnings if "never confirmed" in w.message
                ]:
                    await anyio.sleep(0.02)
            await anyio.sleep(0.5)  # a loop, if there were one, asks many times meanwhile
            second = emu.connections[1].received
    asks = [e for e in second if e["type"] == "response.create"]
    assert len(asks) == 1, [e["type"] for e in second]
    assert warnings[-1].detail == {"call_ids": ["call_1"]}


def test_an_output_confirmed_while_another_response_ran_is_still_asked_for() -> None:
    # A response the server made itself starts before our output reached it: the output is
    # confirmed while that response runs, and the next response answers it, as before.
    o = Orchestrator(lambda name: ToolTraits(), "evt_")
    o.call_arrived("c1", "charge", "{}", "resp_1", "item_1")
    o.response_ended("resp_1")
    assert [type(d).__name__ for d in o.call_finished("c1", "charged")][-1] == "AskResponse"
    o.response_started("resp_vad", in_conversation=True)
    o.output_confirmed("c1")
    ended = o.response_ended("resp_vad")
    assert not [d for d in ended if isinstance(d, Emit)]
    [ask] = [d for d in ended if isinstance(d, AskResponse)]
    assert ask.call_ids == ("c1",)
