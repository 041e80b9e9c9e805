"""A sideband of a GPT-Live call accepted with transcript triggers keeps them when its agent,
which sets none, is updated.

docs/live.md (e82b80b): "``session_options``' ``delegation`` settings and ``triggers`` go in
every ``session.update`` too (after a drop, a handoff), and an agent with no ``triggers`` turns
off those *of the agent before it*"; docs/handoffs.md: "what the call's accept set that no
configuration of the session set is the call's own, kept across a reattach"; docs/calls.md:
"A sideband of a Live call is also yours to open: ``rtagents.connect(agent, api="live",
call_id="live_...")``".

``restate.LIVE_PLACES`` now has ``triggers``, and ``live_config.update_config`` restates each
place the server *reports* away from its default (``changed(now, ...)``), whoever set it: the
first update after the sideband's first report (a handoff, ``update_agent``, the update after
a drop) sends ``"triggers": []``, and the questions the app accepted the call with are never
asked again. No agent of the session ever set them."""

from __future__ import annotations

from typing import Any

import anyio
import httpx2
import pytest
from openai import AsyncOpenAI

import rtagents
from rtagents.emulator import Emulator, ScriptedModel
from tests.emulator.live.test_calls import SECRET, webhook, webhook_sink

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]

TRIGGER = {
    "type": "decisions",
    "event_type": "session.input_transcript.delta",
    "decisions": {
        "questions": [
            {"type": "predicate", "name": "angry", "instructions": "Is the caller furious?"}
        ]
    },
}


async def test_an_agent_update_on_a_sideband_keeps_the_triggers_the_call_was_accepted_with() -> (
    None
):
    async with (
        webhook_sink() as (hook, got),
        Emulator(model=ScriptedModel([]), api_key="sk-k") as emu,
        AsyncOpenAI(api_key="sk-k", base_url=emu.http_url) as openai,
    ):
        async with httpx2.AsyncClient(headers={"Authorization": "Bearer sk-k"}) as http:
            placed = await http.post(
                f"{emu.http_url}/emulator/calls",
                json={"webhook_url": hook, "webhook_secret": SECRET, "api": "live"},
            )
        call_id = placed.json()["call_id"]
        await webhook(got)
        accepted: dict[str, Any] = {
            "type": "live",
            "model": "gpt-live-1",
            "instructions": "Help callers.",
            "triggers": [TRIGGER],
        }
        await openai.live.sessions.accept(call_id, session=accepted)
        desk = rtagents.Agent(name="desk", instructions="Help callers.")
        reported: list[Any] = []
        async with rtagents.connect(
            desk, url=emu.live_url, api="live", api_key="sk-k", call_id=call_id
        ) as session:
            async with anyio.create_task_group() as tg:

                async def read() -> None:
                    async for event in session:
                        if event.type == "session.updated":
                            reported.append(event.session.triggers)

                tg.start_soon(read)
                with anyio.fail_after(5):
                    while not reported:  # the sideband's first update, answered
                        await anyio.sleep(0.01)
                await session.update_agent(rtagents.Agent(name="desk 2", instructions="Help."))
                with anyio.fail_after(5):
                    while len(reported) < 2:
                        await anyio.sleep(0.01)
                tg.cancel_scope.cancel()
    triggers = [[t.model_dump(exclude_unset=True) for t in each or []] for each in reported]
    assert triggers[0] == [TRIGGER]
    assert triggers[1] == [TRIGGER], triggers[1]  # observed: [] (turned off)
