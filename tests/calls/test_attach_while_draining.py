"""A draining replica refuses new work with 503 ("try again later"): a webhook does, and so
does ``POST /session``. A page whose secret it minted before is another matter: only this
replica can attach its call (it holds the secret's digest), so its attach is taken, as a
call in flight (handed over at the drain's end), not refused: no retry elsewhere could
attach it, and the call, up on the API, would run without its tools."""

from __future__ import annotations

import httpx2
import pytest

import rtagents
from rtagents.calls import CallerRequest, CallServer
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import serve_asgi
from tests.calls.harness import SECRET, accepted_call

pytestmark = pytest.mark.anyio


def anyone(request: CallerRequest) -> bool:
    return True


async def test_a_draining_replica_mints_no_secret_and_attaches_the_calls_of_those_it_did() -> None:
    async with Emulator(model=ScriptedModel([])) as emu:
        app = CallServer(
            agent=rtagents.Agent(name="browser"),
            webhook_secret=SECRET,
            api_key="sk-x",
            base_url=emu.http_url,
            authorize=anyone,
            drain_timeout=0,
        )
        async with serve_asgi(app) as url, httpx2.AsyncClient(base_url=url) as http:
            secret = (await http.post("/session")).json()["client_secret"]
            call_id = await accepted_call(emu)  # the page made its call with that secret
            await app.drain(0)
            minted = await http.post("/session")
            attach = await http.post(
                "/session/attach", json={"call_id": call_id, "client_secret": secret}
            )
    assert minted.status_code == 503
    assert attach.status_code == 200, (attach.status_code, attach.text)
