"""What the GPT-Live session tests share: the user speaking, waiting for events, what was said.
No openai SDK here (``make floors`` runs without it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import audio


async def speak(session: rtagents.RealtimeSession) -> None:
    """The user says something, then stops (the emulator hears the turn end)."""
    await session.send_audio(audio.tone(600).tobytes())
    await session.send_audio(audio.silence(400).tobytes())


async def until(session: Any, done: Callable[[list[Any]], bool], within: float = 10) -> list[Any]:
    """The session's events up to the first that makes ``done`` true; a failure if the
    session ends first."""
    seen: list[Any] = []
    with anyio.fail_after(within):
        async for event in session:
            seen.append(event)
            if done(seen):
                return seen
    pytest.fail(f"the session ended first: {[e.type for e in seen][-10:]}")


def spoken(events: list[Any]) -> str:
    """What the Live model said, from its transcript deltas."""
    return "".join(e.delta for e in events if e.type == "session.output_transcript.delta")
