"""A server's audio delta that is not base64 (a proxy's truncation, a server bug) is one bad
frame: failures.md says a frame that breaks its schema is a warning and the session goes on.
``LocalVoice`` (``rtagents run --voice``) decodes every delta with a bare
``base64.b64decode``: the first such delta raises ``binascii.Error: Incorrect padding`` out
of ``voice.run`` (in an ``ExceptionGroup``), and the user's microphone and speaker stop for the rest of the session
while the session itself goes on."""

from __future__ import annotations

import base64

import anyio
import pytest

import rtagents
from rtagents.audio import LocalVoice
from rtagents.testing import FakeAudioDevice
from tests.session.hostile import hostile_server

pytestmark = pytest.mark.anyio


def delta(item_id: str, data: str) -> dict[str, object]:
    return {
        "type": "response.output_audio.delta",
        "response_id": "resp_1",
        "item_id": item_id,
        "output_index": 0,
        "content_index": 0,
        "delta": data,
    }


async def test_a_delta_that_is_not_base64_does_not_stop_local_voice() -> None:
    voice = LocalVoice(FakeAudioDevice(rate=24_000, speed=4), duplex="full")
    raised: list[BaseException] = []
    ended = anyio.Event()

    async def run(session: rtagents.RealtimeSession) -> None:
        try:
            await voice.run(session)
        except Exception as exc:
            raised.append(exc)
        finally:
            ended.set()

    async with hostile_server() as server:
        agent = rtagents.Agent(name="v")
        async with rtagents.connect(agent, url=server.url, player=voice.player) as session:
            async with anyio.create_task_group() as tg:
                tg.start_soon(run, session)
                await server.send(delta("msg_1", "%%%not base64"))
                good = base64.b64encode(bytes(4800)).decode()  # 100 ms of silence
                await server.send(delta("msg_2", good))
                with anyio.fail_after(5):
                    while not raised and voice.player.queued_ms == 0:
                        await anyio.sleep(0.01)
                await session.close()
                with anyio.fail_after(5):
                    await ended.wait()
    # Observed: [ExceptionGroup('unhandled errors in a TaskGroup', [binascii.Error(...)])]
    assert raised == [], f"LocalVoice.run stopped: {raised[0]!r}"
