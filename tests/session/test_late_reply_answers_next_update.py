"""A configuration's reply answers that configuration: the Realtime API answers each
``session.update`` in order (``session.updated`` or an ``error`` naming it), so a reply that
comes late for an update the app stopped waiting for (its own timeout around
``update_agent``) is that update's, never the next one's. The next ``update_agent`` the
server refuses raises ``SessionConfigError`` and the session stays with the agent the
server runs; it is never taken as accepted on the earlier update's late reply."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents.errors import SessionConfigError
from tests.session.hostile import hostile_server

pytestmark = pytest.mark.anyio

PCM = rtagents.Agent(name="pcm", instructions="You are pcm.")
SLOW = rtagents.Agent(name="slow", instructions="You are slow.")
REFUSED = rtagents.Agent(name="refused", instructions="You are refused.")


async def test_a_refused_update_after_a_cancelled_one_is_refused() -> None:
    async with hostile_server() as server:
        async with rtagents.connect(PCM, url=server.url) as session:
            server.answers_updates = False
            with anyio.move_on_after(0.3):  # the app's own timeout
                await session.update_agent(SLOW)
            first = server.sent("session.update")[-1]
            count = len(server.sent("session.update"))
            outcome: list[object] = []

            async def second() -> None:
                try:
                    await session.update_agent(REFUSED)
                    outcome.append("accepted")
                except SessionConfigError as exc:
                    outcome.append(exc)

            async with anyio.create_task_group() as tg:
                tg.start_soon(second)
                with anyio.fail_after(5):
                    while len(server.sent("session.update")) <= count:
                        await anyio.sleep(0.01)
                refused = server.sent("session.update")[-1]
                # The server answers in order: the first (late), then refuses the second.
                await server.send({"type": "session.updated", "session": first["session"]})
                await server.send(
                    {
                        "type": "error",
                        "error": {
                            "type": "invalid_request_error",
                            "code": "invalid_value",
                            "message": "refused",
                            "event_id": refused["event_id"],
                        },
                    }
                )
                with anyio.fail_after(5):
                    while not outcome:
                        await anyio.sleep(0.01)
            assert isinstance(outcome[0], SessionConfigError), (
                f"the refused update_agent was taken as accepted on the earlier one's "
                f"late reply: {outcome}"
            )
            assert session.agent is not REFUSED
