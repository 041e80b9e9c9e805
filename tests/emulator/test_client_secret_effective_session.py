"""``client_secrets.create`` answers with the effective session, defaults included.

The SDK documents the call as "Returns the created client secret and the effective session
object", and the real API's body carries the whole session (model, output modalities, audio
formats, voice, turn detection, ...), as ``session.created`` does. The emulator echoes only
the fields the request gave (plus ``id`` and ``object``): a server that reads the voice or
the modalities of the session it minted for a browser gets ``None`` from the emulator where
the real API, and the emulator's own ``session.created`` for that secret, say ``marin`` and
``["audio"]``."""

from __future__ import annotations

import anyio
import pytest
from openai import AsyncOpenAI

from rtagents.emulator import Emulator

pytestmark = pytest.mark.anyio


async def test_the_minted_session_is_the_one_the_secret_opens() -> None:
    async with Emulator() as emu:
        async with AsyncOpenAI(api_key="sk-test", base_url=emu.http_url) as server:
            secret = await server.realtime.client_secrets.create(
                session={"type": "realtime", "instructions": "Be terse."}
            )
            browser = AsyncOpenAI(api_key=secret.value, base_url=emu.http_url)
            async with browser.realtime.connect(model="gpt-realtime") as conn:
                with anyio.fail_after(5):
                    created = await conn.recv()
    assert created.type == "session.created"
    minted, opened = secret.session, created.session
    assert minted.instructions == opened.instructions == "Be terse."
    # observed: None (the emulator echoes only what the request gave)
    assert minted.output_modalities == opened.output_modalities  # type: ignore[union-attr]
    assert minted.audio is not None and minted.audio.output is not None
    assert minted.audio.output.voice == opened.audio.output.voice  # type: ignore[union-attr]
