"""A ``response.created`` delivered twice: again after its ``response.done`` (a duplicated
event, one of the odd shapes the session must survive without losing anything). The
orchestrator's ``response_started`` does not ask whether that response is over
(``Batches.over``, which ``response_ended`` does ask): the ended response is active again,
for ever, since its end came already. The call it made finishes, its output goes, and no
``response.create`` ever follows: the model never answers the tool, with no warning."""

from __future__ import annotations

import anyio
import pytest

import rtagents

from .hostile import call_item, hostile_server

pytestmark = pytest.mark.anyio


async def test_a_response_created_again_after_its_end_does_not_stall_the_batch() -> None:
    release = anyio.Event()

    @rtagents.tool
    async def slow() -> str:
        """Takes a moment."""
        await release.wait()
        return "done"

    agent = rtagents.Agent(name="h", tools=[slow])
    async with hostile_server() as server:
        async with rtagents.connect(agent, url=server.url) as session:
            warnings: list[str] = []
            session.on("session.warning")(lambda e: warnings.append(e.message))
            created = {
                "type": "response.created",
                "response": {"id": "resp_1", "status": "in_progress", "output": []},
            }
            item = call_item("slow", {}, "call_1")
            await server.send(created)
            await server.output_item("done", item)
            await server.send(
                {
                    "type": "response.done",
                    "response": {"id": "resp_1", "status": "completed", "output": [item]},
                }
            )
            await server.send(created)  # the same event again
            seen = anyio.Event()
            session.on("rate_limits.updated")(lambda e: seen.set())
            await server.send({"type": "rate_limits.updated", "rate_limits": []})
            with anyio.fail_after(5):
                await seen.wait()  # the duplicate was read
            release.set()
            assert await server.output_for("call_1") == "done"
            with anyio.move_on_after(3):
                await server.wait_for(lambda e: e["type"] == "response.create", within=3)
            asks = len(server.sent("response.create"))
            assert asks == 1, f"the call's output was never answered; warnings: {warnings}"
