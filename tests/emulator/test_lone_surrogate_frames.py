"""A client frame whose JSON holds a lone surrogate escape (``"\\ud800"``: valid JSON text,
which ``json.loads`` reads as a str UTF-8 cannot encode) ends the connection with no close
frame and no ``error``: the emulator echoes the text (an unknown ``type`` in the error's
message, the ``event_id`` in the error, a message's text in ``conversation.item.added``),
``Connection._send_event``'s ``model_dump_json`` raises ``PydanticSerializationError``, and
``Connection.serve`` takes it for a failed transport.

A malformed frame must answer ``error`` and leave the connection open (docs/emulator.md: "a
malformed frame answers `error` and the connection stays open"), on Realtime and on GPT-Live
alike (both run through ``connection.Connection``).
"""

from __future__ import annotations

import json

import pytest
from websockets.asyncio.client import connect

from rtagents.emulator import Emulator

from .wire import Wire

pytestmark = pytest.mark.anyio

FRAMES = [
    '{"type": "no.such.event\\ud800", "event_id": "c1"}',
    '{"type": "no.such.event", "event_id": "c1\\udc00"}',
    '{"type": "conversation.item.create", "event_id": "c1", "item": {"type": "message",'
    ' "role": "user", "content": [{"type": "input_text", "text": "hi \\ud83d"}]}}',
]


@pytest.mark.parametrize("frame", FRAMES, ids=["in-type", "in-event_id", "in-item-text"])
async def test_a_lone_surrogate_gets_an_answer_and_the_connection_stays_open(frame: str) -> None:
    async with Emulator() as emu:
        wire = await Wire.open(emu.url)
        await wire.send(frame)
        # Today: ConnectionClosedError ("no close frame received or sent").
        first = await wire.next()
        assert first["type"] in ("error", "conversation.item.added"), first
        await wire.send({"type": "no.such.event", "event_id": "c2"})
        while (event := await wire.next())["type"] != "error" or event["error"]["event_id"] != "c2":
            pass
        await wire.ws.close()


async def test_a_lone_surrogate_does_not_end_a_live_connection() -> None:
    async with Emulator() as emu:
        async with connect(emu.live_url) as ws:
            await ws.send('{"type": "no.such.event\\ud800", "event_id": "c1"}')
            reply = json.loads(await ws.recv())  # today: ConnectionClosedError
            assert reply["type"] == "error", reply
