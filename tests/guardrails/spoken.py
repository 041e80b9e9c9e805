"""A spoken turn to an agent whose input guardrail trips on anything, over a real websocket
to the emulator whose transcription frames a test rewrites: what the app was told."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import GuardrailResult, Guardrails, Trip
from rtagents import protocol as p
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.emulator import audio as pcm
from rtagents.session import WebsocketTransport

ANSWER = "Well, first you take a tension wrench, and then you rake the pins one by one slowly."

Rewrite = Callable[[dict[str, Any]], "dict[str, Any] | None"]
"""A server event as the test's server sends it instead (``None``: not sent at all)."""


class Rewritten:
    """The emulator's websocket, its server events passed through ``rewrite``."""

    def __init__(self, inner: WebsocketTransport, rewrite: Rewrite) -> None:
        self.inner, self.rewrite = inner, rewrite

    def send_wont_block(self, frame: str) -> bool:
        return self.inner.send_wont_block(frame)

    async def send(self, frame: str) -> None:
        await self.inner.send(frame)

    async def recv(self) -> str | bytes:
        while True:
            event = self.rewrite(json.loads(await self.inner.recv()))
            if event is not None:
                return json.dumps(event)

    async def close(self) -> None:
        await self.inner.close()


def everything_trips(text: str) -> GuardrailResult:
    return Trip("nothing may be answered")


async def spoken_turn(rewrite: Rewrite) -> list[Any]:
    """The events of one spoken turn, to the end of the response it brought."""
    agent = rtagents.Agent(
        name="desk",
        transcription=p.AudioTranscription(model="whisper-1"),
        turn_detection=p.ServerVad(silence_duration_ms=300),
        guardrails=Guardrails(input=[everything_trips]),
    )
    events: list[Any] = []
    async with Emulator(model=ScriptedModel([ANSWER]), realtime=True, audio_chunk_ms=100) as emu:

        async def opened() -> Rewritten:
            return Rewritten(await WebsocketTransport.open(emu.url, {}), rewrite)

        async with rtagents.connect(agent, transport=opened) as session:
            await session.send_audio(pcm.tone(400).tobytes() + pcm.silence(400).tobytes())
            with anyio.fail_after(15):
                async for event in session:
                    events.append(event)
                    if event.type == "response.done":
                        break
                else:
                    pytest.fail("the session ended before the answer")
    return events
