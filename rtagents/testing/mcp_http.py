"""MCP servers in this process (tests, demos): made without touching logging, served over
streamable HTTP on loopback."""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from mcp.server.mcpserver import MCPServer


def mcp_server(name: str, **options: Any) -> MCPServer:
    """An ``mcp`` ``MCPServer`` made without changing the process's logging.

    ``mcp.server.mcpserver.MCPServer(...)`` calls ``logging.basicConfig(level=INFO)``, which
    puts a handler on the root logger and turns it to INFO: every library's INFO lines
    (httpx's request lines among them) then print in the app. This makes the same server
    and puts the root logger back as it was.
    """
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        return MCPServer(name, **options)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


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
