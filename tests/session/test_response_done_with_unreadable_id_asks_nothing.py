"""A ``response.done`` whose ``response.id`` breaks its schema (an int, or no id at all) is
delivered "without the values that could not be read" (failures.md), and the docs promise
that then "turn-taking goes on, so a response.done is never lost". It does not: the calls of
that response are answered, but their batch is never asked for (no ``response.create``), and
the response stays active for the session, so nothing else the orchestrator owes goes either."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from tests.session.hostile import call_item, hostile_server

pytestmark = pytest.mark.anyio


@rtagents.tool
def lookup(key: str) -> str:
    """Look a key up."""
    return f"value of {key}"


@pytest.mark.parametrize("response_id", [7, None, "missing"])
async def test_a_response_done_with_an_unreadable_id_still_asks_for_its_batch(
    response_id: Any,
) -> None:
    async with hostile_server() as server:
        agent = rtagents.Agent(name="h", tools=[lookup])
        with anyio.fail_after(15):
            async with rtagents.connect(agent, url=server.url) as session:
                warnings: list[str] = []
                session.on("session.warning")(lambda e: warnings.append(e.message))
                await server.call("lookup", {"key": "k"}, "c1", response_id="resp_1", done=False)
                item = call_item("lookup", {"key": "k"}, "c1")
                response: dict[str, Any] = {"status": "completed", "output": [item]}
                if response_id != "missing":
                    response["id"] = response_id
                await server.send({"type": "response.done", "response": response})
                assert await server.output_for("c1") == "value of k"  # the call is answered
                with anyio.move_on_after(3):
                    await server.wait_for(lambda e: e["type"] == "response.create")
                asked = server.sent("response.create")
                assert len(asked) == 1, (
                    f"the batch's response.done (id {response_id!r}) led to "
                    f"{len(asked)} response.create; warnings: {warnings}"
                )
