"""rtagents.testing.serve_asgi: the URL it yields reaches the app, on any host it binds."""

from __future__ import annotations

import socket

import httpx2
import pytest

from rtagents.testing import serve_asgi


async def app(scope, receive, send):  # type: ignore[no-untyped-def]
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


@pytest.mark.skipif(not socket.has_ipv6, reason="no IPv6")
@pytest.mark.anyio
async def test_an_ipv6_loopback_url_is_a_url() -> None:
    # serve_asgi binds "::1" (the socket is made AF_INET6 for it): its URL must say so.
    async with serve_asgi(app, host="::1") as url:
        async with httpx2.AsyncClient() as http:
            answer = await http.get(f"{url}/")
    assert answer.text == "ok", url


@pytest.mark.skipif(not socket.has_ipv6, reason="no IPv6")
@pytest.mark.anyio
async def test_an_emulator_on_ipv6_loopback_is_reached_by_its_url() -> None:
    import rtagents
    from rtagents.emulator import Emulator, ScriptedModel

    agent = rtagents.Agent(name="a", output_modalities=["text"])
    async with Emulator(model=ScriptedModel(["Hi."]), host="::1") as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            events = await session.ask("Hello")
    assert [e.text for e in events if e.type == "response.output_text.done"] == ["Hi."]
