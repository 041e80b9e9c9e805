"""``POST /v1/realtime/client_secrets`` answers as the openai SDK types it.

The SDK's ``ClientSecretCreateResponse.session`` is a ``RealtimeSessionCreateResponse`` (or,
for ``type: "transcription"``, a ``RealtimeTranscriptionSessionCreateResponse``): both
require the session's ``id`` and ``object``. The emulator echoes the request's ``session``
as it was sent, so a client that reads ``secret.session.id`` (to name the session in its
logs, or to tie it to a later call) gets ``None`` from the emulator, and the SDK's own types
refuse the body."""

from __future__ import annotations

from typing import Any

import pytest
from openai import AsyncOpenAI
from openai.types.realtime import ClientSecretCreateResponse
from pydantic import ValidationError

from rtagents.emulator import Emulator

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    "session",
    [{"type": "realtime", "model": "gpt-realtime"}, {"type": "transcription"}],
    ids=["realtime", "transcription"],
)
async def test_a_client_secret_body_is_the_sdks_response(session: dict[str, Any]) -> None:
    async with Emulator() as emu, AsyncOpenAI(api_key="sk-x", base_url=emu.http_url) as client:
        raw = await client.realtime.client_secrets.with_raw_response.create(
            session=session  # type: ignore[arg-type]
        )
        body = raw.http_response.json()
        secret = raw.parse()
    missing: list[str] = []
    try:
        ClientSecretCreateResponse.model_validate(body)
    except ValidationError as exc:
        missing = sorted({str(e["loc"][-1]) for e in exc.errors() if e["type"] == "missing"})
    assert not missing, f"the SDK refuses the body: its session lacks {missing}: {body}"
    assert secret.session.type == session["type"]
    assert isinstance(secret.session.id, str) and secret.session.id
