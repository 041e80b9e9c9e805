"""``session.interrupt()`` while the player still plays an earlier answer (its audio all
arrived) and the next answer's audio is queued behind it truncates the earlier answer at
what the player played of it, as server VAD's barge-in does (docs/session.md: "On server
VAD's ``speech_started``, and on ``session.interrupt()`` without ``played_ms``, the session
then: truncates the assistant item at what the player played"). Before, ``interrupt()`` asked
only about the latest item (nothing played: no truncate), and the earlier answer stayed
whole in the conversation although the user stopped hearing it at 700 ms."""

from __future__ import annotations

import base64
from typing import Any

import anyio
import pytest

import rtagents
from tests.session.hostile import hostile_server

pytestmark = pytest.mark.anyio

SECOND = base64.b64encode(bytes(48_000)).decode()  # 1 s of pcm16 at 24 kHz


class Speaker:
    """Plays msg_1 (700 ms in); msg_2 is queued behind it, unheard."""

    def played_ms(self, item_id: str) -> int | None:
        return {"msg_1": 700}.get(item_id, 0)

    def clear(self) -> None:
        pass


async def _two_answers(server: Any) -> None:
    for n in (1, 2):
        rid, item = f"resp_{n}", f"msg_{n}"
        await server.send(
            {
                "type": "response.created",
                "response": {"id": rid, "status": "in_progress", "output": []},
            }
        )
        msg = {
            "type": "message",
            "role": "assistant",
            "id": item,
            "status": "in_progress",
            "content": [],
        }
        await server.output_item("added", msg, response_id=rid)
        for _ in range(2):
            await server.send(
                {
                    "type": "response.output_audio.delta",
                    "response_id": rid,
                    "item_id": item,
                    "output_index": 0,
                    "content_index": 0,
                    "delta": SECOND,
                }
            )
        if n == 1:
            done = {**msg, "status": "completed"}
            await server.output_item("done", done, response_id=rid)
            await server.send(
                {
                    "type": "response.done",
                    "response": {"id": rid, "status": "completed", "output": [done]},
                }
            )


async def _cut(how: str) -> list[dict[str, Any]]:
    async with hostile_server() as server:
        agent = rtagents.Agent(name="a")
        with anyio.fail_after(10):
            async with rtagents.connect(agent, url=server.url, player=Speaker()) as session:
                await _two_answers(server)
                async for event in session:
                    if event.type == "response.output_audio.delta" and event.item_id == "msg_2":
                        break
                else:
                    pytest.fail("no audio of msg_2")
                if how == "vad":
                    await server.send(
                        {
                            "type": "input_audio_buffer.speech_started",
                            "audio_start_ms": 0,
                            "item_id": "u1",
                        }
                    )
                else:
                    await session.interrupt()
                async for event in session:
                    if event.type == "audio.interrupted":
                        break
                else:
                    pytest.fail("no audio.interrupted")
                await anyio.sleep(0.2)
        return server.sent("conversation.item.truncate")


async def test_vad_barge_in_cuts_the_earlier_answer_being_played() -> None:
    truncates = await _cut("vad")
    assert [(t["item_id"], t["audio_end_ms"]) for t in truncates] == [("msg_1", 700)]


async def test_interrupt_cuts_the_earlier_answer_being_played_too() -> None:
    truncates = await _cut("interrupt")
    assert [(t["item_id"], t["audio_end_ms"]) for t in truncates] == [("msg_1", 700)]
