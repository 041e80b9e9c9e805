"""GPT-Live announces a client delegation, and the same announcement (the same delegation id)
comes again, as from a server that sends again on an attached connection what it is not sure
went out. One delegation is one piece of work (DESIGN: work starts "once per ``call_id``"):
``on_delegation`` runs once, and the model is given its answer once. (It ran twice, and the
answer was said twice.)"""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from tests.session.live.server import live_session

pytestmark = pytest.mark.anyio


async def test_a_delegation_announced_twice_is_answered_once() -> None:
    asked: list[str] = []

    def hook(delegation: Any) -> str:
        asked.append(delegation.id)
        return "Your parcel left the depot."

    agent = rtagents.Agent(instructions="Help.", on_delegation=hook)
    async with live_session(agent) as (server, _session):
        delegation = {"type": "delegation", "id": "del_1", "target": "client"}
        await server.send("session.delegation.created", offset_ms=500, delegation=delegation)
        await server.expect("session.commentary.append")
        await server.send("session.delegation.created", offset_ms=500, delegation=delegation)
        with anyio.move_on_after(1):
            await server.expect("session.commentary.append", 2)
        answers = [e for e in server.of("session.commentary.append") if e["delegation_id"]]
    assert asked == ["del_1"] and len(answers) == 1, (asked, answers)
