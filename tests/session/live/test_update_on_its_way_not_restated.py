"""docs/handoffs.md ("What the new agent leaves out"): a switch puts back the server's default
of each setting an earlier configuration of the session set and the new agent does not; "An
update still on its way, or one the app stopped waiting for, counts as sent (the server
applies them in order)"; "On GPT-Live, the backend's instructions and `tool_choice`".

On GPT-Live, ``live_config.update_config`` restates only what the server last *reported*
(``LiveCore.config``, from ``session.started``/``session.updated``): an update still on its
way is not counted. Agent ``b`` (backend instructions, ``tool_choice="required"``) is sent;
before the server answers, the app switches to ``c``, which sets neither. ``c``'s update
leaves both out, so the server, applying them in order, runs ``c`` with ``b``'s instructions
and its forced tool calls. (The Realtime API's ``Restater`` counts updates on their way.)"""

from __future__ import annotations

import anyio
import pytest

import rtagents
from tests.session.live.server import live_server, lookup

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]


async def test_a_switch_restates_what_an_update_on_its_way_set() -> None:
    a = rtagents.Agent(name="a", tools=[lookup])
    b = rtagents.Agent(
        name="b", instructions="Only ever look up.", tools=[lookup], tool_choice="required"
    )
    c = rtagents.Agent(name="c", tools=[lookup])
    async with live_server() as server:
        async with rtagents.connect(a, url=server.url, api="live", reconnect=None) as session:
            await server.expect("session.start")
            async with anyio.create_task_group() as tg:
                tg.start_soon(session.update_agent, b)
                await server.expect("session.update")  # b's, not answered yet
                tg.start_soon(session.update_agent, c)
                first, second = await server.expect("session.update", 2)
                for update in (first, second):  # the server takes both, in order
                    took = {**server.session, **update["session"], "id": "live_1"}
                    took |= {"expires_at": 1_900_000_000, "status": "active"}
                    ref = update["event_id"]
                    await server.send("session.updated", client_event_id=ref, session=took)
            assert session.agent is c
    assert first["session"]["delegation"]["responses"]["tool_choice"] == "required"
    backend = second["session"]["delegation"]["responses"]
    # c sets neither: b's, sent before it, are put back to the backend's defaults.
    assert backend.get("instructions") == ""
    assert backend.get("tool_choice") == "auto"
