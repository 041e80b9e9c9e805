"""``session.ask`` waits for "a response begun after the server added it": it knows a
response began only from its ``response.created``. A server that sends the answer's
``response.done`` (its items, its text) without a ``response.created`` before it (the
Realtime API does so) leaves ``ask`` waiting for ever: the answer came, complete, and
the script, CLI or test that asked hangs."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from tests.session.hostile import hostile_server

pytestmark = pytest.mark.anyio


def _answer() -> dict[str, object]:
    return {
        "type": "message",
        "role": "assistant",
        "id": "msg_a",
        "status": "completed",
        "content": [{"type": "output_text", "text": "Hello."}],
    }


async def test_ask_returns_on_an_answer_whose_created_never_came() -> None:
    agent = rtagents.Agent(name="h", output_modalities=["text"])
    async with hostile_server() as server:
        async with rtagents.connect(agent, url=server.url) as session:

            async def answer() -> None:
                await server.wait_for(lambda e: e["type"] == "response.create")
                await server.output_item("done", _answer(), response_id="resp_1")
                await server.send(
                    {
                        "type": "response.done",
                        "response": {"id": "resp_1", "status": "completed", "output": [_answer()]},
                    }
                )

            events: list[object] = []
            async with anyio.create_task_group() as tg:
                tg.start_soon(answer)
                with anyio.move_on_after(5):
                    events = await session.ask("Hi")
            assert any(getattr(e, "type", "") == "response.done" for e in events), (
                "ask() never returned: it is still waiting for a response.created"
            )
