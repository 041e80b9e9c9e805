"""The app barges in (``session.interrupt()``: its own voice activity detection, a
push-to-talk) after the batch's ``response.create`` went and before the answer began: the
answer, which would talk over the user, is cancelled as it begins (``response.cancel``
naming it). The answer to a request made after the barge-in is not."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from tests.session.hostile import hostile_server

pytestmark = pytest.mark.anyio


@rtagents.tool
def lookup(key: str) -> str:
    """Look a key up."""
    return f"value of {key}"


async def test_the_answer_to_a_request_interrupted_before_it_began_is_cancelled() -> None:
    async with hostile_server() as server:
        agent = rtagents.Agent(name="h", tools=[lookup])
        with anyio.fail_after(15):
            async with rtagents.connect(agent, url=server.url) as session:
                await server.call("lookup", {"key": "k"}, "c1", response_id="resp_1")
                await server.wait_for(lambda e: e["type"] == "response.create")
                await session.interrupt()  # the user speaks: the answer has not begun
                assert server.sent("response.cancel") == []  # nothing to cancel yet
                await server.send(
                    {
                        "type": "response.created",
                        "response": {"id": "resp_2", "status": "in_progress", "output": []},
                    }
                )
                cancel = await server.wait_for(lambda e: e["type"] == "response.cancel")
                await server.send(
                    {
                        "type": "response.done",
                        "response": {"id": "resp_2", "status": "cancelled", "output": []},
                    }
                )
                await server.send(  # the user's own turn: answered, not cancelled
                    {
                        "type": "response.created",
                        "response": {"id": "resp_3", "status": "in_progress", "output": []},
                    }
                )
                with anyio.move_on_after(0.5):
                    await server.wait_for(
                        lambda e: e["type"] == "response.cancel" and e is not cancel
                    )
    assert cancel.get("response_id") == "resp_2"
    assert len(server.sent("response.cancel")) == 1
