"""Serve an MCP server over streamable HTTP on loopback, in this process (tests, demos)."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio


@asynccontextmanager
async def serve_mcp_http(server: Any, *, host: str = "127.0.0.1") -> AsyncIterator[str]:
    """Serve ``server`` (an ``mcp`` ``MCPServer``) on a free port; yields its ``/mcp`` URL.

    In-process, so that its spans land in the same tracer provider as the test's.
    """
    import uvicorn

    with socket.socket() as probe:
        probe.bind((host, 0))
        port = probe.getsockname()[1]
    web = uvicorn.Server(
        uvicorn.Config(server.streamable_http_app(), host=host, port=port, log_level="error")
    )
    async with anyio.create_task_group() as tg:
        tg.start_soon(web.serve)
        with anyio.fail_after(10):
            while not web.started:  # noqa: ASYNC110 (uvicorn has no event to wait on)
                await anyio.sleep(0.01)
        try:
            yield f"http://{host}:{port}/mcp"
        finally:
            web.should_exit = True
