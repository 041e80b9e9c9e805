"""A later configuration puts back the server's default of each setting the server reports
changed, or an update still on its way changes (the server applies them in order), that the
new agent leaves out (session/restate.py). An ``update_agent`` the app stopped waiting for
(its own timeout around it) is still on its way: the server applies it. A switch sent after
it to an agent that sets no ``tool_choice`` puts back ``"auto"``; it never leaves the
cancelled agent's ``tool_choice="required"`` running for the new one."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from tests.session import hostile
from tests.session.hostile import hostile_server

pytestmark = pytest.mark.anyio

DEFAULTS = {"instructions": "", "tool_choice": "auto", "output_modalities": ["audio"]}


@pytest.fixture(autouse=True)
def server_reports_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server's ``session.created`` reports its defaults, as the Realtime API's does."""
    send = hostile.Hostile.send

    async def sending(self: hostile.Hostile, event: Any) -> None:
        if isinstance(event, dict) and event.get("type") == "session.created":
            event = {**event, "session": {**event["session"], **DEFAULTS}}
        await send(self, event)

    monkeypatch.setattr(hostile.Hostile, "send", sending)


TRIAGE = rtagents.Agent(name="triage", instructions="Triage.")
STRICT = rtagents.Agent(name="strict", instructions="Strict.", tool_choice="required")
BILLING = rtagents.Agent(name="billing", instructions="Billing.")


async def test_a_switch_after_a_cancelled_one_restates_what_it_set() -> None:
    async with hostile_server() as server:
        async with rtagents.connect(TRIAGE, url=server.url) as session:
            server.answers_updates = False
            with anyio.move_on_after(0.3):  # the app's own timeout
                await session.update_agent(STRICT)
            strict = server.sent("session.update")[-1]
            assert strict["session"].get("tool_choice") == "required"
            count = len(server.sent("session.update"))
            async with anyio.create_task_group() as tg:
                tg.start_soon(session.update_agent, BILLING)
                with anyio.fail_after(5):
                    while len(server.sent("session.update")) <= count:
                        await anyio.sleep(0.01)
                billing = server.sent("session.update")[-1]
                # The server answers both, in order.
                await server.send({"type": "session.updated", "session": strict["session"]})
                merged = {**strict["session"], **billing["session"]}
                await server.send({"type": "session.updated", "session": merged})
            assert billing["session"].get("tool_choice") == "auto", (
                "the switch to billing left strict's tool_choice='required' in force "
                f"(the server applies strict's update first): {billing['session']}"
            )
