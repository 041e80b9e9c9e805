"""Running an ASGI app under uvicorn inside a process that has its own life (an app, a test):
no signal handlers taken over, a socket bound by us (a port in use is an ``OSError``), small
frames sent at once."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import socket
from collections.abc import Iterator
from typing import Any

import anyio
import uvicorn
from starlette.requests import ClientDisconnect, Request

from .errors import RtagentsError

log = logging.getLogger("rtagents.calls")


class UnreadBody(RtagentsError):
    """A request body the route could not read; ``status``, the answer to give (which a
    sender gone never reads: nothing else is owed it, and no traceback either)."""

    status = 400


class BodyTooLarge(UnreadBody):
    """A request body beyond the bound the route reads."""

    status = 413


class BodyTooSlow(UnreadBody):
    """A request body that did not all come in time."""

    status = 408


class SenderGone(UnreadBody):
    """The sender went away before its body was all there (a network blip, a proxy's
    timeout): Starlette's ``ClientDisconnect``, which would otherwise reach the server as an
    exception of the app."""


BODY_TIMEOUT_S = 30.0
"""The longest a route waits for a request's whole body: a sender that trickles it (or
declares more than it sends) must not hold a task of the server for ever."""


async def read_body(request: Request, limit: int) -> bytes:
    """The body of ``request``, read as it arrives; ``BodyTooLarge`` as soon as it passes
    ``limit`` bytes (or says it will, in ``Content-Length``), before more is buffered,
    ``SenderGone`` when the sender leaves before the end, and ``BodyTooSlow`` when it is
    not all there within ``BODY_TIMEOUT_S`` (all ``UnreadBody``)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(f"the body is over {limit} bytes")
    body = bytearray()
    try:
        with anyio.fail_after(BODY_TIMEOUT_S):
            async for chunk in request.stream():
                if len(body) + len(chunk) > limit:
                    raise BodyTooLarge(f"the body is over {limit} bytes")
                body += chunk
    except ClientDisconnect:
        raise SenderGone(f"the sender went away after {len(body)} bytes of its body") from None
    except TimeoutError:
        raise BodyTooSlow(
            f"the body was not all there in {BODY_TIMEOUT_S:g} s ({len(body)} bytes came)"
        ) from None
    return bytes(body)


class QuietServer(uvicorn.Server):
    """uvicorn without its signal handlers: Ctrl-C stays the host process's."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def netloc(host: str, port: int) -> str:
    """``host:port`` as a URL writes it: an IPv6 address in brackets (``[::1]:8000``)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


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


class DrainingServer(uvicorn.Server):
    """uvicorn that drains the app before it stops: on the first SIGTERM (or Ctrl-C) it calls
    ``app.drain()`` (a ``CallServer``: no new calls, running ones finish, outputs
    delivered), then exits as uvicorn does. A second signal exits at once, cutting the calls
    still open: whoever sends it has decided not to wait."""

    def __init__(self, config: uvicorn.Config, app: Any, refreeze_s: float | None = None) -> None:
        super().__init__(config)
        self._app = app
        self._loop: asyncio.AbstractEventLoop | None = None
        self._draining = False
        self._drain_task: asyncio.Task[None] | None = None
        self._refreeze_s = refreeze_s

    async def serve(self, sockets: list[socket.socket] | None = None) -> None:
        self._loop = asyncio.get_running_loop()
        refreezing = None
        if self._refreeze_s is not None:
            refreezing = self._loop.create_task(_refreeze_every(self._refreeze_s))
        try:
            await super().serve(sockets)
        finally:
            if refreezing is not None:
                refreezing.cancel()

    def handle_exit(self, sig: int, frame: Any) -> None:
        drain = getattr(self._app, "drain", None)
        name = signal.Signals(sig).name
        if self._draining:
            log.warning("%s again: exiting now; the calls still open are cut", name)
            for handler in logging.getLogger().handlers:
                handler.flush()
            # Dying by the signal itself, as an unhandled one would: no cleanup to wait for.
            signal.signal(sig, signal.SIG_DFL)
            signal.raise_signal(sig)
            return
        self._draining = True
        if drain is None or self._loop is None:  # any ASGI app: uvicorn's own graceful stop
            log.warning("%s: stopping; send it again (or Ctrl-C) to exit now", name)
            super().handle_exit(sig, frame)
            return
        log.warning("%s: draining first; send it again (or Ctrl-C) to exit now", name)

        async def drain_then_exit() -> None:
            try:
                await drain()
            finally:
                super(DrainingServer, self).handle_exit(sig, frame)

        def start() -> None:  # (the task is kept: the loop keeps only weak references)
            self._drain_task = self._loop.create_task(drain_then_exit())  # type: ignore[union-attr]

        self._loop.call_soon_threadsafe(start)


def freeze_heap() -> None:
    """Move what is alive now out of the way of every later garbage collection (a process
    that is the app's own: ``rtagents serve``). Garbage is collected first, so none is kept;
    what stays alive is still freed by reference counting once let go (see
    docs/deployment.md: a closed session is in no reference cycle)."""
    gc.collect()
    gc.freeze()


async def _refreeze_every(seconds: float) -> None:
    # Each collection here scans only what was made since the last freeze: the sessions
    # opened since, not the whole heap.
    while True:
        await asyncio.sleep(seconds)
        freeze_heap()
