"""POST /v1/realtime/client_secrets with a body of the wrong shape is the client's
error (400 naming the parameter, as the API and the emulator's own comment say), not a 500."""

from __future__ import annotations

import httpx2
import pytest

from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("expires_after", [600, "600", ["created_at", 600]])
async def test_an_expires_after_that_is_not_an_object_is_a_400(expires_after: object) -> None:
    async with Emulator(model=ScriptedModel([])) as emu, httpx2.AsyncClient() as http:
        reply = await http.post(
            f"{emu.http_url}/realtime/client_secrets",
            json={"session": {"type": "realtime"}, "expires_after": expires_after},
            headers={"Authorization": "Bearer sk-any"},
        )
    assert reply.status_code == 400, (reply.status_code, reply.text[:80])
    assert reply.json()["error"]["param"] == "expires_after"
