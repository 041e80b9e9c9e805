"""Two attaches of one call, made with two different secrets minted here, while the first
still waits for the registry's claim: the second overwrites ``_claiming[call_id]``; the first's
``finally`` deletes it, and the second's ``del self._claiming[wanted]`` raises KeyError (a 500).

Right behaviour: the second request gets a clean answer (404/409, or what the first attach
came to), never a server error, and ``_claiming`` must not be shared by overwriting."""

from __future__ import annotations

import anyio
import httpx2
import pytest

from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import serve_asgi
from tests.calls.harness import accepted_call
from tests.calls.test_browser_attach import SlowRegistry, server

pytestmark = pytest.mark.anyio


async def test_second_secret_during_claim_is_not_a_server_error() -> None:
    async with Emulator(model=ScriptedModel([])) as emu:
        app = server(emu.http_url, registry=SlowRegistry())
        async with serve_asgi(app) as url, httpx2.AsyncClient(base_url=url) as http:
            first = (await http.post("/session")).json()["client_secret"]
            second = (await http.post("/session")).json()["client_secret"]
            call_id = await accepted_call(emu)
            answers: dict[str, httpx2.Response] = {}

            async def post(name: str, secret: str) -> None:
                body = {"call_id": call_id, "client_secret": secret}
                answers[name] = await http.post("/session/attach", json=body)

            async with anyio.create_task_group() as tg:
                tg.start_soon(post, "first", first)
                await anyio.sleep(0.1)  # the first is claiming
                tg.start_soon(post, "second", second)
            assert answers["first"].status_code == 200, answers["first"].text
            assert answers["second"].status_code < 500, answers["second"].text
