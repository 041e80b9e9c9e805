"""Running an ASGI app under uvicorn inside a process that has its own life (an app, a test):
no signal handlers taken over, a socket bound by us (a port in use is an ``OSError``), small
frames sent at once."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator
from typing import Any

import uvicorn


class QuietServer(uvicorn.Server):
    """uvicorn without its signal handlers: Ctrl-C stays the host process's."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def bind(host: str, port: int) -> socket.socket:
    """A listening socket, non-blocking, with ``TCP_NODELAY`` (inherited by accepted sockets:
    no 40 ms Nagle stalls on small frames)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(1024)
    sock.setblocking(False)
    return sock


async def start(
    config: uvicorn.Config, sock: socket.socket
) -> tuple[QuietServer, asyncio.Task[Any]]:
    """Serve on ``sock``; returns once it is up (or raises ``OSError``)."""
    server = QuietServer(config)
    task = asyncio.get_running_loop().create_task(server.serve([sock]))
    while not server.started:
        if task.done():
            await task
            raise OSError(f"the server on port {sock.getsockname()[1]} did not start")
        await asyncio.sleep(0.005)
    return server, task


async def stop(server: QuietServer, task: asyncio.Task[Any]) -> None:
    server.should_exit = True
    await asyncio.gather(task, return_exceptions=True)
