"""A connection that drops while it is being configured (our ``session.update`` sent with
``tracing``, never answered) leaves a new Realtime session to the next connection, which is
sent ``tracing`` too (docs/session.md: "the agent's configuration | sent again
(session.update), tracing included"). Before, the drop of a connection not yet given the
conversation back was ignored whole by ``RealtimeCore.disconnected`` (the link was OFFLINE
already): the third connection's ``session.update`` went without ``tracing``."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import Say, ScriptedModel
from tests.session.test_drop_while_reconnecting import FAST, SecondDrops

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(20)]


def _updates(conn: Any) -> list[dict[str, Any]]:
    return [e for e in conn.received if e["type"] == "session.update"]


async def test_third_connection_gets_tracing_after_second_dropped_unconfigured() -> None:
    agent = rtagents.Agent(name="a", output_modalities=["text"])  # tracing="auto"
    model = ScriptedModel([Say("one"), Say("two")])
    async with SecondDrops(model=model) as emu:
        async with rtagents.connect(agent, url=emu.url, reconnect=FAST) as session:
            reconnected = anyio.Event()
            session.on("session.reconnected")(lambda e: reconnected.set())
            emu.last.drop()
            with anyio.fail_after(5):
                await reconnected.wait()
            assert session.closed_reason is None
        conns = list(emu.connections)
    assert len(conns) == 3
    first, second, third = (_updates(c) for c in conns)
    assert "tracing" in first[0]["session"]
    assert "tracing" in second[0]["session"]  # sent, never answered: that session is gone
    # A new Realtime session: it needs tracing, as the second connection's did.
    assert "tracing" in third[0]["session"], third[0]["session"].keys()
