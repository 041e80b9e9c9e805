"""2217cde: a ``response.done`` with no ``response.created`` seen, while our request is in
flight, is that request's answer: ``response_ended`` begins it (``response_started``), then
ends it. But ``response_started`` cancels the answer to a request the user talked over
(``barge_in`` marked it stale): for a response begun unseen, that answer is over already,
and the session sends ``response.cancel`` for a response that has ended. The server refuses
it (``response_cancel_not_active``), and the app gets an ``error`` for a cancel it never
asked for."""

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


async def test_no_cancel_is_sent_for_an_answer_that_ended_unseen() -> None:
    async with hostile_server() as server:
        agent = rtagents.Agent(name="h", tools=[lookup], output_modalities=["text"])
        with anyio.fail_after(15):
            async with rtagents.connect(agent, url=server.url) as session:
                await server.call("lookup", {"key": "a"}, "c1")
                assert await server.output_for("c1") == "value of a"
                await server.wait_for(lambda e: e["type"] == "response.create")
                # The user starts speaking while our request is in flight ...
                await server.send(
                    {
                        "type": "input_audio_buffer.speech_started",
                        "audio_start_ms": 0,
                        "item_id": "item_u",
                    }
                )
                # ... and the answer to it comes as a response.done alone.
                answer = {
                    "type": "message",
                    "role": "assistant",
                    "id": "msg_a",
                    "status": "completed",
                    "content": [{"type": "output_text", "text": "It is a."}],
                }
                await server.send(
                    {
                        "type": "response.done",
                        "response": {"id": "resp_2", "status": "completed", "output": [answer]},
                    }
                )
                # A message of ours after it: everything before it has been handled.
                await session.send_text("And b?", respond=False)
                await server.wait_for(
                    lambda e: (
                        e["type"] == "conversation.item.create" and e["item"].get("role") == "user"
                    )
                )
                cancels = server.sent("response.cancel")
                assert cancels == [], f"a cancel for a response that had ended: {cancels}"
