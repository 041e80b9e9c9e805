"""The emulator's own log (uvicorn's, under it) and websockets' client log show the key a
browser-style client presents in the ``openai-insecure-api-key.`` subprotocol: a client
secret (``ek_...``) or a key that is not ``sk-``-shaped (the emulator's own ``api_key``).

Right behaviour: the redaction treats ``Sec-WebSocket-Protocol`` like ``Authorization``
(mask what follows ``openai-insecure-api-key.``), and client secrets (``ek_...``) like
``sk-`` keys; the emulator registers its ``api_key`` as a secret. Nothing a client presented
as a credential appears in any log line, at any level.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx2
import pytest
from websockets.asyncio.client import connect as ws_connect

from rtagents.emulator import Emulator

pytestmark = pytest.mark.anyio
EMU_KEY = "emu-admin-key-abcdef123"


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name} {record.getMessage()}")


@pytest.fixture
def capture() -> Iterator[Capture]:
    handler = Capture()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)


def every_logger_at_debug() -> dict[str, int]:
    levels = {n: logging.getLogger(n).level for n in list(logging.root.manager.loggerDict)}
    levels[""] = logging.getLogger().level
    for name in levels:
        logging.getLogger(name or None).setLevel(logging.DEBUG)
    return levels


async def test_a_key_in_the_websocket_subprotocol_is_never_logged(capture: Capture) -> None:
    async with Emulator(api_key=EMU_KEY) as emu:
        levels = every_logger_at_debug()  # after start: uvicorn set its own to WARNING
        try:
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
        finally:
            for name, level in levels.items():
                logging.getLogger(name or None).setLevel(level)
    leaking = [line for line in capture.lines if ek in line or EMU_KEY in line]
    assert leaking == [], leaking[:3]
