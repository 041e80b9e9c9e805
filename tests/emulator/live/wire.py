"""A bare websocket client for the emulator's GPT-Live endpoint; every frame each way is
checked by the openai SDK's Live types."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import anyio
from websockets.asyncio.client import ClientConnection, connect

from .oracle import check_client, check_server


class LiveWire:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.events: list[dict[str, Any]] = []

    @classmethod
    async def open(cls, url: str, key: str = "sk-ignored") -> LiveWire:
        ws = await connect(url, additional_headers={"Authorization": f"Bearer {key}"})
        return cls(ws)

    async def send(self, event: dict[str, Any]) -> None:
        check_client(event)
        await self.ws.send(json.dumps(event))

    async def next(self, timeout: float = 5) -> dict[str, Any]:
        with anyio.fail_after(timeout):
            frame = await self.ws.recv()
        event: dict[str, Any] = json.loads(frame)
        check_server(event)
        self.events.append(event)
        return event

    async def until(
        self, done: str | Callable[[dict[str, Any]], bool], timeout: float = 5
    ) -> list[dict[str, Any]]:
        """Events up to and including the first ``done`` (a type, or a test of an event)."""
        test = (lambda e: e["type"] == done) if isinstance(done, str) else done
        seen = []
        while True:
            event = await self.next(timeout)
            seen.append(event)
            if test(event):
                return seen

    async def close(self) -> None:
        await self.ws.close()


def completed(event: dict[str, Any]) -> bool:
    """A ``response.event`` carrying ``response.completed``."""
    return event["type"] == "response.event" and event["event"]["type"] == "response.completed"
