"""An emulator listening beyond loopback fetches any URL a client names: ``POST
/v1/emulator/calls`` posts a webhook to ``webhook_url`` whatever its host, and ``GET
/v1/emulator/calls/{id}`` tells the client the status it got (or the error). The emulator
keeps hosted MCP fetches off non-loopback listeners for exactly this reason ("so that a
shared dev server cannot be made to fetch arbitrary URLs", ``mcp_hosts``); webhooks get no
such rule, so a shared emulator is a request forger and port scanner into its network."""

from __future__ import annotations

import anyio
import httpx2
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from rtagents.emulator import Emulator
from rtagents.testing import serve_asgi
from tests.calls.harness import SECRET

pytestmark = pytest.mark.anyio


async def test_a_shared_emulator_does_not_post_to_any_url_a_client_names() -> None:
    reached: list[str] = []

    async def internal(request: Request) -> JSONResponse:
        reached.append(request.url.path)
        return JSONResponse({"admin": True})

    service = Starlette(routes=[Route("/{path:path}", internal, methods=["POST"])])
    async with serve_asgi(service) as internal_url, Emulator(host="0.0.0.0") as emu:
        base = f"http://127.0.0.1:{emu.port}/v1"
        async with httpx2.AsyncClient(base_url=base, timeout=10) as http:
            placed = await http.post(
                "/emulator/calls",
                json={"webhook_url": f"{internal_url}/admin/delete-all", "webhook_secret": SECRET},
            )
            if placed.status_code == 200:
                with anyio.move_on_after(3):
                    while not reached:
                        await anyio.sleep(0.05)
    assert reached == [], "the emulator on 0.0.0.0 posted to an internal URL a client named"
