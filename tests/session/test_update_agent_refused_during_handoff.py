"""Half-done (3ef76ff): a refused ``update_agent`` goes back to ``before`` (the session's
agent when it was called), not to the agent the server runs. While a transfer is on its
way (its ``session.update`` sent, no answer yet) ``before`` is the transfer's target; when
the server refuses both the transfer and the app's update (the transfer's rollback is
skipped because the app switched meanwhile), the session ends on the transfer's target,
which the server never ran: the very half-switch the commit set out to fix.

Right behaviour: after both refusals ``session.agent`` is the agent the server runs
("desk"), as ``Handoffs._configure`` does with ``Handoffs._runs``."""

from __future__ import annotations

import asyncio
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.errors import SessionConfigError

pytestmark = pytest.mark.anyio


async def test_update_agent_refused_while_a_refused_transfer_is_on_its_way() -> None:
    # Both refused by the server: "robot" is no voice.
    billing = rtagents.Agent(name="billing", voice="robot", output_modalities=["text"])
    other = rtagents.Agent(name="other", voice="robot", output_modalities=["text"])
    desk = rtagents.Agent(name="desk", handoffs=[billing], output_modalities=["text"])
    model = ScriptedModel([CallFunction("transfer_to_billing", call_id="h1"), "Here."])
    app_update: list[asyncio.Future[Any]] = []
    async with Emulator(model=model) as emu:
        async with rtagents.connect(desk, url=emu.url) as session:

            def on_agent_switch(event: Any) -> None:
                # The transfer has taken "billing" locally; its update is on its way.
                if session.agent.name == "billing" and not app_update:
                    app_update.append(asyncio.ensure_future(session.update_agent(other)))

            session.on("*")(on_agent_switch)
            with anyio.fail_after(10):
                await session.ask("help")
                assert app_update, "the app's update was never made"
                with pytest.raises(SessionConfigError):
                    await app_update[0]
            updates = [
                r.get("session", {}).get("voice") or r.get("session", {}).get("audio")
                for r in emu.last.received
                if r["type"] == "session.update"
            ]
            agent = session.agent.name
            served = [t.get("name") for t in emu.last.session.get("tools", [])]  # type: ignore[union-attr]
    assert served == ["transfer_to_billing"]  # the server still runs desk's configuration
    assert len(updates) >= 3, updates  # desk's, billing's, other's
    assert agent == "desk", f"the session runs {agent!r}; the server runs desk"
