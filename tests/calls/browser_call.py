"""Helpers for the browser-call tests: a CallServer under uvicorn, the emulator as the API, an aiortc page."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx2

import rtagents
from rtagents.calls import CallerRequest, CallServer
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import serve_asgi
from tests.emulator.webrtc.client import Browser

SECRET = "whsec_c2VjcmV0"


def anyone(request: CallerRequest) -> bool:
    return True


@contextlib.asynccontextmanager
async def browser_app(
    model: Any = None, agent: rtagents.Agent | None = None, **options: Any
) -> AsyncIterator[tuple[Emulator, CallServer, httpx2.AsyncClient]]:
    async with Emulator(model=model or ScriptedModel([])) as emu:
        options.setdefault("authorize", anyone)
        options.setdefault("drain_timeout", 0)
        app = CallServer(
            agent=agent or rtagents.Agent(name="b"),
            webhook_secret=SECRET,
            api_key="-",
            base_url=emu.http_url,
            **options,
        )
        async with serve_asgi(app) as url, httpx2.AsyncClient(base_url=url, timeout=30) as http:
            yield emu, app, http


@contextlib.asynccontextmanager
async def page_call(
    emu: Emulator, http: httpx2.AsyncClient
) -> AsyncIterator[tuple[Browser, str, str]]:
    """A page's call: minted, made over WebRTC with the secret; (browser, call id, secret)."""
    minted = await http.post("/session")
    assert minted.status_code == 200, minted.text
    secret = minted.json()["client_secret"]
    browser = Browser()
    try:
        reply = await browser.call(emu.http_url, secret)
        assert reply.status_code == 201, reply.text
        yield browser, browser.call_id, secret
    finally:
        await browser.close()
