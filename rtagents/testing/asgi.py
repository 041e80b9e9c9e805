"""Serve an ASGI app (a ``CallServer``, say) on a loopback port for a test, with uvicorn."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import uvicorn

from .._asgi import bind, netloc, start, stop
from .._hosts import DIRECT


@contextlib.asynccontextmanager
async def serve_asgi(app: Any, host: str = "127.0.0.1") -> AsyncIterator[str]:
    """``async with serve_asgi(app) as url:`` runs ``app`` under uvicorn (its lifespan
    included) on a free port; ``url`` is ``http://127.0.0.1:PORT`` (an IPv6 host in
    brackets)."""
    sock = bind(host, 0)
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_config=None, log_level="warning", access_log=False)
    server, task = await start(config, sock)
    try:
        yield f"http://{netloc(host, port)}"
    finally:
        await stop(server, task)


def fan_out(targets: list[str]) -> Any:
    """An ASGI app that delivers every webhook it receives to each of ``targets`` at once,
    with its signature headers: what a doubled (or retried) delivery to several replicas
    looks like. ``emu.place_call(relay_url, secret)`` then reaches them all."""
    import anyio
    import httpx2
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    http = httpx2.AsyncClient(timeout=30, mounts=DIRECT)

    async def relay(request: Request) -> Response:
        body = await request.body()
        headers = {k: v for k, v in request.headers.items() if k.startswith("webhook-")}
        headers["content-type"] = "application/json"

        async def deliver(target: str) -> None:
            await http.post(target, content=body, headers=headers)

        async with anyio.create_task_group() as tg:
            for target in targets:
                tg.start_soon(deliver, target)
        return Response(status_code=200)

    return Starlette(routes=[Route("/", relay, methods=["POST"])])
