"""The API key given to ``connect`` is "redacted wherever it appears" and "kept out of
events, spans and reprs" (failures.md, Secrets). A server (or a proxy in front of it) that
echoes the key in its close reason has it copied verbatim into the framework's own events:
``session.reconnecting``'s ``cause`` and ``session.closed``'s ``reason`` (and from there the
session span's ``rtagents.session.close_reason``)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from tests.session.hostile import hostile_server

pytestmark = pytest.mark.anyio

API_KEY = "sk-secret-XYZ"


@pytest.mark.parametrize("reconnect", [None, rtagents.Reconnect(attempts=1, backoff=0.01)])
async def test_a_key_echoed_in_a_close_reason_stays_out_of_the_events(reconnect: Any) -> None:
    events: list[Any] = []
    async with hostile_server() as server:
        with anyio.fail_after(15):
            async with rtagents.connect(
                rtagents.Agent(name="h"), url=server.url, api_key=API_KEY, reconnect=reconnect
            ) as session:
                session.on("*")(events.append)
                await server.close(1011, f"invalid key {API_KEY}")
                async for event in session:
                    if event.type in ("session.closed", "session.reconnected"):
                        break
                else:
                    pytest.fail("the stream ended without session.closed or session.reconnected")
    told = {e.type: repr(e) for e in events if API_KEY in repr(e)}
    assert told == {}, told
