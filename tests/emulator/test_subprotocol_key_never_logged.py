"""The emulator's own log (uvicorn's, under it) and websockets' client log show the key a
browser-style client presents in the ``openai-insecure-api-key.`` subprotocol: a client
secret (``ek_...``) or a key that is not ``sk-``-shaped (the emulator's own ``api_key``).

Right behaviour: the redaction treats ``Sec-WebSocket-Protocol`` like ``Authorization``
(mask what follows ``openai-insecure-api-key.``), and client secrets (``ek_...``) like
``sk-`` keys; the emulator registers its ``api_key`` as a secret. Nothing a client presented
as a credential appears in any log line, at any level.
"""

from __future__ import annotations

import httpx2
import pytest
from websockets.asyncio.client import connect as ws_connect

from rtagents.emulator import Emulator
from tests.logs import all_at_debug

pytestmark = pytest.mark.anyio
EMU_KEY = "emu-admin-key-abcdef123"


async def test_a_key_in_the_websocket_subprotocol_is_never_logged(log_lines: list[str]) -> None:
    async with Emulator(api_key=EMU_KEY) as emu:
        with all_at_debug():  # again, after start: uvicorn set its own to WARNING
            base = f"http://127.0.0.1:{emu.port}/v1"
            async with httpx2.AsyncClient() as http:
                minted = await http.post(
                    f"{base}/realtime/client_secrets",
                    headers={"Authorization": f"Bearer {EMU_KEY}"},
                    json={"session": {"type": "realtime", "model": "gpt-realtime"}},
                )
            ek = minted.json()["value"]
            ws_url = f"ws://127.0.0.1:{emu.port}/v1/realtime?model=gpt-realtime"
            for key in (ek, EMU_KEY):  # as a browser presents it
                protocols = ["realtime", f"openai-insecure-api-key.{key}"]
                async with ws_connect(ws_url, subprotocols=protocols) as ws:  # type: ignore[arg-type]
                    assert "session.created" in await ws.recv()
    leaking = [line for line in log_lines if ek in line or EMU_KEY in line]
    assert leaking == [], leaking[:3]
