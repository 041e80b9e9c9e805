"""A transcription session's client secret opens the session it was minted for.

docs/emulator.md: "a client secret (``ek_...``) opens a new session until it expires (a
Realtime websocket one starts as the secret's session says ...)". The websocket route applies
a minted session only when the URL has no ``intent``: a browser that mints a transcription
secret (``session.type: "transcription"``, its model and language) and connects for
transcription (``?intent=transcription``, as the SDK documents for transcription sessions)
gets the emulator's default transcription session, without the secret's configuration; with
no ``intent`` the same secret opens a ``realtime`` session that answers with the model."""

from __future__ import annotations

import anyio
import pytest
from openai import AsyncOpenAI

from rtagents.emulator import Emulator

pytestmark = pytest.mark.anyio
MINTED = {
    "type": "transcription",
    "audio": {"input": {"transcription": {"model": "gpt-4o-transcribe", "language": "fr"}}},
}


async def test_a_transcription_secret_opens_its_transcription_session() -> None:
    async with Emulator() as emu:
        async with AsyncOpenAI(api_key="sk-test", base_url=emu.http_url) as server:
            secret = await server.realtime.client_secrets.create(session=MINTED)  # type: ignore[arg-type]
            browser = AsyncOpenAI(api_key=secret.value, base_url=emu.http_url)
            query = {"intent": "transcription"}
            async with browser.realtime.connect(extra_query=query) as conn:
                with anyio.fail_after(5):
                    created = await conn.recv()
    assert created.type == "session.created"
    assert created.session.type == "transcription"
    transcription = created.session.audio.input.transcription  # type: ignore[union-attr]
    # observed: None (the emulator's default transcription session)
    assert transcription is not None
    assert (transcription.model, transcription.language) == ("gpt-4o-transcribe", "fr")


async def test_a_transcription_session_shows_no_tools() -> None:
    """The SDK's transcription session types have no ``tools``: the emulator showed ``[]``."""
    async with Emulator() as emu:
        async with AsyncOpenAI(api_key="sk-test", base_url=emu.http_url) as client:
            async with client.realtime.connect(extra_query={"intent": "transcription"}) as conn:
                with anyio.fail_after(5):
                    created = await conn.recv()
    assert created.type == "session.created"
    assert "tools" not in created.session.model_dump(exclude_unset=True)
