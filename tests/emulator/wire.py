"""A bare websocket client for emulator tests; every frame received is checked by the openai SDK."""

from __future__ import annotations

import base64
import json
from typing import Any

import anyio
from openai.types.realtime import RealtimeServerEvent
from pydantic import TypeAdapter
from websockets.asyncio.client import ClientConnection, connect

from rtagents.emulator import audio

ORACLE = TypeAdapter(RealtimeServerEvent)


class Wire:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.events: list[dict[str, Any]] = []

    @classmethod
    async def open(cls, url: str) -> Wire:
        ws = await connect(
            url + "?model=gpt-realtime", additional_headers={"Authorization": "Bearer sk-ignored"}
        )
        wire = cls(ws)
        assert (await wire.next())["type"] == "session.created"
        assert (await wire.next())["type"] == "conversation.created"
        return wire

    async def send(self, event: dict[str, Any] | str) -> None:
        await self.ws.send(event if isinstance(event, str) else json.dumps(event))

    async def next(self, timeout: float = 5) -> dict[str, Any]:
        with anyio.fail_after(timeout):
            frame = await self.ws.recv()
        event: dict[str, Any] = json.loads(frame)
        ORACLE.validate_python(event)  # every frame the emulator sends is a valid server event
        self.events.append(event)
        return event

    async def until(self, kind: str, timeout: float = 5) -> list[dict[str, Any]]:
        """Events up to and including the first of ``kind``."""
        seen = []
        while True:
            event = await self.next(timeout)
            seen.append(event)
            if event["type"] == kind:
                if kind == "response.done":
                    # The real server reports rate limits once a response is done.
                    assert (await self.next(timeout))["type"] == "rate_limits.updated"
                return seen

    async def expect_error(self, event: dict[str, Any] | str) -> dict[str, Any]:
        await self.send(event)
        reply = await self.next()
        assert reply["type"] == "error", reply
        return reply["error"]  # type: ignore[no-any-return]

    async def update(self, **session: Any) -> dict[str, Any]:
        await self.send({"type": "session.update", "session": {"type": "realtime", **session}})
        reply = await self.next()
        assert reply["type"] == "session.updated", reply
        return reply["session"]  # type: ignore[no-any-return]

    async def say(self, text: str) -> None:
        await self.send(
            {
                "type": "conversation.item.create",
                "item": {
                    "type": "message",
                    "role": "user",
                    "content": [{"type": "input_text", "text": text}],
                },
            }
        )
        await self.until("conversation.item.done")

    async def append(self, pcm: Any) -> None:
        await self.send(
            {"type": "input_audio_buffer.append", "audio": base64.b64encode(pcm.tobytes()).decode()}
        )

    async def close(self) -> None:
        await self.ws.close()


def speech(ms: int, amplitude: float = 0.3) -> Any:
    return audio.tone(ms, amplitude=amplitude)


def types(events: list[dict[str, Any]]) -> list[str]:
    return [e["type"] for e in events]
