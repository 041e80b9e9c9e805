"""A client secret (``ek_...``, ``POST /v1/realtime/client_secrets``) carries the session it
was minted with: a websocket session a page opens with it (the ``openai-insecure-api-key.``
subprotocol) starts configured so, as a WebRTC call does (it started from the emulator's
defaults: another model, the default instructions, a session nobody minted)."""

from __future__ import annotations

import json

import anyio
import httpx2
import pytest
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import InvalidStatus

from rtagents.emulator import Emulator

pytestmark = pytest.mark.anyio
KEY = "sk-emulator-key-0123456789"
MINTED = {"type": "realtime", "model": "gpt-realtime-mini", "instructions": "Only the minted."}


async def _mint(emu: Emulator) -> str:
    async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {KEY}"}) as http:
        reply = await http.post(f"{emu.http_url}/realtime/client_secrets", json={"session": MINTED})
    assert reply.status_code == 200, reply.text
    value: str = reply.json()["value"]
    return value


async def test_a_websocket_session_opened_with_a_client_secret_has_the_minted_config() -> None:
    async with Emulator(api_key=KEY) as emu:
        secret = await _mint(emu)
        page = ["realtime", f"openai-insecure-api-key.{secret}"]
        async with ws_connect(emu.url, subprotocols=page) as ws:  # type: ignore[arg-type]
            with anyio.fail_after(5):
                created = json.loads(await ws.recv())
    assert created["type"] == "session.created"
    session = created["session"]
    got = (session.get("model"), session.get("instructions"))
    assert got == (MINTED["model"], MINTED["instructions"]), (
        f"the secret's session was {MINTED}; the session it opened is {got}"
    )


@pytest.mark.parametrize("api_key", [KEY, None], ids=["keyed", "open"])
async def test_a_websocket_with_a_secret_never_minted_is_refused(api_key: str | None) -> None:
    """As over WebRTC, and as on the API: an ``ek_`` the server never minted (or that
    expired) opens no session, even on an emulator without ``api_key`` (where it opened a
    default one, and a page's expiry went unnoticed in tests)."""
    async with Emulator(api_key=api_key) as emu:
        page = ["realtime", "openai-insecure-api-key.ek_never_minted_0123456789"]
        with pytest.raises(InvalidStatus) as refused:
            async with ws_connect(emu.url, subprotocols=page):  # type: ignore[arg-type]
                pass
    assert refused.value.response.status_code == 401
