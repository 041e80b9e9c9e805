"""A websocket opened with a client secret starts as the secret's session says (c3cc4f5,
``http_app``: ``start_with(conn.core, minted)``). The emulator's ``POST
/v1/realtime/client_secrets`` does not check the session it mints, and the websocket route
applies it after accepting, outside any error handling: a session the config check refuses
(an unknown voice) raises ``ClientEventError`` out of the ASGI app. The client gets a socket
closed with 1011 and no ``error`` event, and the emulator keeps the connection as open for
good (``connection_closed`` is never reached)."""

from __future__ import annotations

import logging

import anyio
import httpx2
import pytest

import rtagents
from rtagents.emulator import Emulator, ScriptedModel

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


async def test_a_secret_minted_with_a_bad_session_is_refused_not_crashed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bad = {"type": "realtime", "audio": {"output": {"voice": "no-such-voice"}}}
    async with Emulator(model=ScriptedModel([])) as emu:
        async with httpx2.AsyncClient(base_url=emu.http_url) as http:
            reply = await http.post(
                "/realtime/client_secrets",
                json={"session": bad},
                headers={"Authorization": "Bearer sk-test-0000000000"},
            )
        if reply.status_code == 400:  # refused at the mint, as the real API does: fine
            return
        secret = reply.json()["value"]
        raised: BaseException | None = None
        with caplog.at_level(logging.ERROR), anyio.fail_after(40):
            try:
                async with rtagents.connect(
                    rtagents.Agent(name="page"), url=emu.url, api_key=secret, reconnect=None
                ):
                    pass
            except Exception as exc:
                raised = exc
        with anyio.move_on_after(5):  # (the client is gone: the emulator closes its side)
            while any(c not in emu._closed for c in emu.connections):
                await anyio.sleep(0.02)
        stale = [c for c in emu.connections if c not in emu._closed]
    crashed = [r.getMessage() for r in caplog.records if "Exception in ASGI" in r.getMessage()]
    assert not crashed, f"the emulator's websocket route crashed: {crashed}; client: {raised!r}"
    assert stale == [], "the emulator keeps the crashed connection as open for good"
