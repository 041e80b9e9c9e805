"""A session whose server says it expires at a time that is no time (``"expires_at": NaN``,
a value the API never sends but pydantic reads) has no known cap: no handover is planned for
it. Before, NaN passed every check of the handover's loop (it compares false to everything):
the session handed over to a fresh one at every idle moment, replay and all."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from tests.session.hostile import hostile_server

pytestmark = pytest.mark.anyio

CREATED = '{"type":"session.created","event_id":"e_nan","session":{"type":"realtime","id":"sess_1","expires_at":NaN}}'


async def test_an_expiry_of_nan_plans_no_handover() -> None:
    agent = rtagents.Agent(name="t", output_modalities=["text"])
    async with hostile_server() as server:
        reconnect = rtagents.Reconnect(handover_before_s=30)
        async with rtagents.connect(agent, url=server.url, reconnect=reconnect):
            await server.send(CREATED)
            await anyio.sleep(1.0)  # (a due handover is looked for four times a second)
            updates = [e for e in server.received if e["type"] == "session.update"]
    assert len(updates) == 1, f"{len(updates)} connections configured: handed over"
