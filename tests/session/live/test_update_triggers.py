"""A switch of agents on GPT-Live changes the session's transcript triggers as it changes the
backend's settings: the new agent's ``live.session_options["triggers"]`` go in its
``session.update`` (the API's ``SessionUpdateConfig.triggers``: a list replaces them), and an
agent with none turns off those an earlier configuration set (an empty list), as handoffs.md
says of every setting the new agent leaves out. They went in ``session.start`` only: the
session went on asking the first agent's questions for ever."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents.agent import LiveOptions
from tests.session.live.server import live_server

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]

ANGRY = {"type": "predicate", "name": "angry", "instructions": "Is the caller furious?"}
DONE = {"type": "predicate", "name": "done", "instructions": "Is the caller done?"}


def trigger(question: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "decisions",
        "event_type": "session.input_transcript.delta",
        "decisions": {"questions": [question]},
    }


def agent(name: str, *questions: dict[str, Any]) -> rtagents.Agent:
    options = {"triggers": [trigger(q) for q in questions]} if questions else {}
    return rtagents.Agent(name=name, live=LiveOptions(session_options=options))


async def test_a_switch_sends_the_new_agents_triggers_and_turns_off_the_old_ones() -> None:
    first, plain, asking = agent("first", ANGRY), agent("plain"), agent("asking", DONE)
    async with live_server() as server:
        async with rtagents.connect(first, url=server.url, api="live", reconnect=None) as s:
            [start] = await server.expect("session.start")
            assert start["session"]["triggers"] == [trigger(ANGRY)]
            sent = []
            for target in (plain, asking, plain):
                async with anyio.create_task_group() as tg:
                    tg.start_soon(s.update_agent, target)
                    update = (await server.expect("session.update", len(sent) + 1))[-1]
                    took = {**server.session, **update["session"], "id": "live_1"}
                    took |= {"expires_at": 1_900_000_000, "status": "active"}
                    ref = update["event_id"]
                    await server.send("session.updated", client_event_id=ref, session=took)
                sent.append(update["session"].get("triggers"))
    # plain: the first's turned off; asking: its own; plain again: asking's turned off.
    assert sent == [[], [trigger(DONE)], []]
