"""MCP servers in this process (tests, demos): made without touching logging, served over
streamable HTTP on loopback."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from mcp.server.mcpserver import MCPServer

from .._asgi import bind, netloc, start, stop


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

    In-process, so that its spans land in the same tracer provider as the test's. The
    server runs in a task of its own, not a task group around the block: what the block
    raises comes out as itself, never in an exception group.
    """
    import uvicorn

    sock = bind(host, 0)
    port = sock.getsockname()[1]
    config = uvicorn.Config(server.streamable_http_app(), log_config=None, log_level="error")
    web, task = await start(config, sock)
    try:
        yield f"http://{netloc(host, port)}/mcp"
    finally:
        await stop(web, task)
