"""Run the test MCP server over streamable HTTP on loopback, in this process."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import uvicorn

NOTES_SERVER = str(Path(__file__).with_name("notes_server.py"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@asynccontextmanager
async def http_notes_server() -> AsyncIterator[str]:
    """Serve ``notes_server`` at ``http://127.0.0.1:PORT/mcp``; yields that URL."""
    from . import notes_server

    port = _free_port()
    app = notes_server.server.streamable_http_app()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    web = uvicorn.Server(config)
    async with anyio.create_task_group() as tg:
        tg.start_soon(web.serve)
        with anyio.fail_after(10):
            while not web.started:  # noqa: ASYNC110 (uvicorn has no event to wait on)
                await anyio.sleep(0.01)
        try:
            yield f"http://127.0.0.1:{port}/mcp"
        finally:
            web.should_exit = True
