"""A transcription session (``?intent=transcription``, as the openai SDK's docs say to open
one) is refused by the emulator: it always serves a ``realtime`` session, and a
``session.update`` of ``type: "transcription"`` is answered with an error."""

from __future__ import annotations

import base64
from typing import Any

import anyio
import pytest
from openai import AsyncOpenAI

from rtagents.emulator import Emulator, ScriptedModel

from .sansio import Core

pytestmark = pytest.mark.anyio


async def first(conn: Any, *kinds: str) -> Any:
    with anyio.fail_after(10):
        async for event in conn:
            if event.type in kinds:
                return event
        else:
            pytest.fail(f"the connection ended before {kinds}")


async def test_intent_transcription_opens_a_transcription_session() -> None:
    async with Emulator(model=ScriptedModel([])) as emu:
        client = AsyncOpenAI(api_key="sk-test", websocket_base_url=emu.base_url)
        async with client.realtime.connect(extra_query={"intent": "transcription"}) as conn:
            created = await first(conn, "session.created")
            assert created.session.type == "transcription"


async def test_session_update_to_a_transcription_session_is_accepted() -> None:
    async with Emulator(model=ScriptedModel([])) as emu:
        client = AsyncOpenAI(api_key="sk-test", websocket_base_url=emu.base_url)
        async with client.realtime.connect(extra_query={"intent": "transcription"}) as conn:
            await first(conn, "session.created")
            session: Any = {
                "type": "transcription",
                "audio": {"input": {"transcription": {"model": "gpt-4o-transcribe"}}},
            }
            await conn.session.update(session=session)
            answer = await first(conn, "session.updated", "error")
            assert answer.type == "session.updated", answer
            assert answer.session.type == "transcription"


def test_a_transcription_session_transcribes_and_makes_no_response() -> None:
    """Committed audio in a transcription session is transcribed, and no response follows
    (a ``response.create`` is an error): it has no model to answer with."""
    c = Core(intent="transcription", transcribe=lambda data, ms: "hello there")
    created = c.opening[0]
    assert created["session"]["type"] == "transcription" and "model" not in created["session"]
    transcribed = {"model": "gpt-4o-transcribe"}
    session = {"type": "transcription", "audio": {"input": {"transcription": transcribed}}}
    assert c.send({"type": "session.update", "session": session})[0]["type"] == "session.updated"
    c.send({"type": "input_audio_buffer.append", "audio": base64.b64encode(bytes(9600)).decode()})
    kinds = [e["type"] for e in c.send({"type": "input_audio_buffer.commit"})]
    assert "conversation.item.input_audio_transcription.completed" in kinds
    assert "response.created" not in kinds
    error = c.error_for({"type": "response.create"})
    assert error is not None and "transcription session" in error["message"]
