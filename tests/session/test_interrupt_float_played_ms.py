"""``session.interrupt(played_ms=...)`` takes a float (what an app computes from a clock or
a sample count: ``elapsed * 1000``), in whole milliseconds, as the player's own figure is
taken (``GuardedPlayer.played_ms``); a figure that is no time is refused before anything is
sent. Before, the float went into ``conversation.item.truncate`` as it was: pydantic raised a
bare ``ValidationError`` out of ``interrupt()`` half-way through the barge-in (the
``response.cancel`` gone, the ``cancel_on_interrupt`` call never cancelled, the app never
told ``audio.interrupted``)."""

from __future__ import annotations

import base64

import anyio
import pytest

import rtagents
from tests.session.hostile import call_item, hostile_server

pytestmark = pytest.mark.anyio

SECOND = base64.b64encode(bytes(48_000)).decode()


@rtagents.tool(cancel_on_interrupt=True)
async def search(q: str) -> str:
    """Search (slow)."""
    await anyio.sleep(1.5)
    return "found"


async def test_interrupt_takes_a_float_played_ms() -> None:
    agent = rtagents.Agent(name="a", tools=[search])
    async with hostile_server() as server:
        with anyio.fail_after(10):
            async with rtagents.connect(agent, url=server.url) as session:
                rid = "resp_1"
                await server.send(
                    {
                        "type": "response.created",
                        "response": {"id": rid, "status": "in_progress", "output": []},
                    }
                )
                msg = {
                    "type": "message",
                    "role": "assistant",
                    "id": "msg_1",
                    "status": "in_progress",
                    "content": [],
                }
                await server.output_item("added", msg, response_id=rid)
                await server.send(
                    {
                        "type": "response.output_audio.delta",
                        "response_id": rid,
                        "item_id": "msg_1",
                        "output_index": 0,
                        "content_index": 0,
                        "delta": SECOND,
                    }
                )
                item = call_item("search", {"q": "x"}, "c1")
                await server.output_item("done", item, response_id=rid)
                async for event in session:
                    if event.type == "tool.call.started":
                        break
                else:
                    pytest.fail("the call never started")
                error = None
                try:
                    await session.interrupt(played_ms=412.7)
                except Exception as exc:
                    error = exc
                kinds = []
                with anyio.move_on_after(0.5):
                    async for event in session:
                        kinds.append(event.type)
                        if event.type == "tool.call.failed":
                            break
                    else:
                        pytest.fail(f"the session ended before the call was answered: {kinds}")
    assert error is None, f"interrupt() raised {type(error).__name__}: {str(error)[:120]}"
    assert "audio.interrupted" in kinds and "tool.call.failed" in kinds, kinds
    truncate = server.sent("conversation.item.truncate")
    assert [t["audio_end_ms"] for t in truncate] == [412]
