"""GPT-Live takes at most 500 tokens in one commentary append; the library knows it
(protocol.live.fit_note) and cuts a background result or an ``on_delegation`` answer to fit,
with a warning (docs/live.md: ``session.commentary(...)`` and ``session.thinking(...)`` "do the
same at any time"). The app's own ``session.commentary(text, delegation_id=...)`` -- the way
docs/live.md gives to answer a delegation later, after a hook returned ``None`` -- is sent
whole: ``commentary`` returns as if it went, the server refuses it, the app gets only the
server's raw ``error``, and the delegation stays unanswered (the model waits for an answer
that will not come). Expected: refused at the call (ValueError) or cut to fit with a warning."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from tests.session.live.harness import speak

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]

LONG = "finding " * 1500  # 12,000 characters


@pytest.mark.parametrize("kind", ["commentary", "thinking"])
async def test_the_apps_long_answer_to_a_delegation_is_not_refused_whole(kind: str) -> None:
    ids: list[str] = []

    async def on_delegation(delegation: rtagents.Delegation) -> None:
        ids.append(delegation.id)  # answered later, by the app

    agent = rtagents.Agent(instructions="Orders.", on_delegation=on_delegation)
    seen: list[Any] = []
    async with Emulator(model=ScriptedModel([CallFunction("lookup", {"order": 7}), "ok"])) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live") as session:
            session.on("*")(seen.append)
            await speak(session)
            with anyio.fail_after(10):
                while not ids:
                    await anyio.sleep(0.02)
            try:
                await getattr(session, kind)(LONG, delegation_id=ids[0])
            except ValueError:
                return  # refused at the call: the app knows
            await anyio.sleep(1)
    refused = [e for e in seen if e.type == "error"]
    assert refused == [], f"sent whole and refused by the server: {refused[0].error.message}"
