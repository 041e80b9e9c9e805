"""``session.ask`` now takes a ``response.done`` whose ``response.created`` it never saw for
the answer, once the server has the message (bf572bb). But a response begun *before* the
message whose ``response.created`` the app had already read (it iterates the session: a
greeting, an answer to the user's speech) is no answer to it: ``ask`` returns that earlier
response's text as the answer, and the real answer, asked for after it, is left unread."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from tests.session.hostile import hostile_server

pytestmark = pytest.mark.anyio


def _message(item_id: str, text: str) -> dict[str, object]:
    return {
        "type": "message",
        "role": "assistant",
        "id": item_id,
        "status": "completed",
        "content": [{"type": "output_text", "text": text}],
    }


async def test_ask_does_not_return_the_greeting_begun_before_its_message() -> None:
    agent = rtagents.Agent(name="h", output_modalities=["text"])
    async with hostile_server() as server:
        with anyio.fail_after(15):
            async with rtagents.connect(agent, url=server.url) as session:
                # A greeting the app asked for; the app reads its events as they come.
                await session.create_response()
                await server.wait_for(lambda e: e["type"] == "response.create")
                greeting = {"id": "resp_g", "status": "in_progress", "output": []}
                await server.send({"type": "response.created", "response": greeting})
                async for event in session:
                    if event.type == "response.created":
                        break
                else:
                    pytest.fail("the session ended")

                async def serve() -> None:
                    # The user's question is added while the greeting still runs ...
                    await server.wait_for(
                        lambda e: (
                            e["type"] == "conversation.item.create"
                            and e["item"].get("role") == "user"
                        )
                    )
                    # ... then the greeting ends (begun before the question: not its answer).
                    done = {"id": "resp_g", "status": "completed"}
                    await server.send(
                        {
                            "type": "response.done",
                            "response": {**done, "output": [_message("msg_g", "Welcome!")]},
                        }
                    )
                    # The request for the answer goes now; the answer follows.
                    await server.wait_for(lambda e: len(server.sent("response.create")) == 2)
                    created = {"id": "resp_a", "status": "in_progress", "output": []}
                    await server.send({"type": "response.created", "response": created})
                    answer = {"id": "resp_a", "status": "completed"}
                    await server.send(
                        {
                            "type": "response.done",
                            "response": {**answer, "output": [_message("msg_a", "It is 4.")]},
                        }
                    )

                async with anyio.create_task_group() as tg:
                    tg.start_soon(serve)
                    events = await session.ask("What is 2 + 2?")
                last = events[-1]
                assert last.type == "response.done"
                assert last.response.id == "resp_a", (
                    f"ask() returned the greeting ({last.response.id}) as the answer"
                )
