"""Serve an ASGI app (a ``CallServer``, say) on a loopback port for a test, with uvicorn."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import uvicorn

from .._asgi import bind, start, stop


@contextlib.asynccontextmanager
async def serve_asgi(app: Any, host: str = "127.0.0.1") -> AsyncIterator[str]:
    """``async with serve_asgi(app) as url:`` runs ``app`` under uvicorn (its lifespan
    included) on a free port; ``url`` is ``http://127.0.0.1:PORT``."""
    sock = bind(host, 0)
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_config=None, log_level="warning", access_log=False)
    server, task = await start(config, sock)
    try:
        yield f"http://{host}:{port}"
    finally:
        await stop(server, task)
