"""A handoff after the assistant spoke keeps the voice so far, and so does a new connection
(session.md, "What is preserved": "in the voice the user heard (a handoff after the assistant
spoke keeps the voice so far: so does the new connection)"). When the connection drops while
the handoff's own ``session.update`` is on its way (or the transfer runs while the connection
is down), the app is told "handed off to billing in the voice so far", yet the reconnect
configures the new server session in the target agent's own voice: the user hears the voice
change."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, DropConnection, Emulator, ScriptedModel
from tests.session.test_handoff import answered

pytestmark = pytest.mark.anyio
FAST = rtagents.Reconnect(backoff=0.01, max_backoff=0.05)

TRIGGERS = {
    "the handoff's session.update in flight": {"on_client": "session.update"},
    "the transfer runs while offline": {"after": "response.function_call_arguments.done"},
}


@pytest.mark.parametrize("where", list(TRIGGERS))
async def test_a_drop_during_a_handoff_keeps_the_voice_the_user_heard(where: str) -> None:
    billing = rtagents.Agent(
        name="billing", voice="cedar", instructions="You bill.", handoffs=[lambda: triage]
    )
    triage = rtagents.Agent(
        name="triage", voice="marin", instructions="You triage.", handoffs=[billing]
    )
    model = ScriptedModel(
        ["Hello, triage here.", CallFunction("transfer_to_billing", call_id="h1"), "Billing here."]
    )
    events: list[Any] = []
    async with Emulator(model=model) as emu:
        async with rtagents.connect(triage, url=emu.url, reconnect=FAST) as session:
            session.on("*")(events.append)
            await answered(session, "hi")  # triage spoke, in marin
            emu.last.add_fault(DropConnection(**TRIGGERS[where]))
            await session.send_text("refund please")
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "response.done" and any(
                        item.type == "message" for item in event.response.output or []
                    ):
                        break
                else:
                    pytest.fail("the session ended before billing answered")
            connections = len(emu.connections)
            server = emu.last.session
    assert connections == 2
    assert [e.to_agent for e in events if e.type == "handoff"] == ["billing"]
    assert server.get("instructions") == "You bill."
    assert server["audio"]["output"]["voice"] == "marin", (
        "after the reconnect the user hears billing's own voice, not the one so far"
    )
