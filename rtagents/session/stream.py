"""The session's event stream: a bounded buffer for ``async for``, and ``on()`` handlers."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections import deque
from collections.abc import Callable
from typing import Any

from .events import SessionWarning

log = logging.getLogger("rtagents.session")
Handler = Callable[[Any], Any]


class EventStream:
    """Delivers each event to the matching handlers and to a bounded buffer.

    Memory policy: the buffer holds at most ``limit`` events, and at most ``max_bytes`` of
    frames (the newest event is always kept). When the app reads more slowly than events
    arrive, the oldest are dropped (never the reading of the socket, which would stall tool
    calls), and the next read first yields a ``session.warning`` saying how many were lost.
    ``limit=0`` keeps no buffer (handlers only).
    """

    def __init__(
        self, limit: int, spawn: Callable[..., None], *, max_bytes: int = 32 * 2**20
    ) -> None:
        self.limit = limit
        self.max_bytes = max_bytes
        self._spawn = spawn
        self._buffer: deque[tuple[Any, int]] = deque()
        self._bytes = 0  # the frames' sizes of what the buffer holds
        self._dropped = 0
        self.on_drop: Callable[[], None] | None = None  # counted where it happens (metrics)
        # asyncio's Event: the session runs on asyncio (websockets needs it), and anyio's
        # Event costs a backend lookup per wait, on the path of every event read.
        self._wakeup = asyncio.Event()
        self._ended = False
        self._handlers: dict[str, list[Handler]] = {}

    def on(self, kind: str, handler: Handler) -> None:
        self._handlers.setdefault(kind, []).append(handler)

    def deliver(self, event: Any, size: int = 0) -> None:
        """Hand out ``event``; ``size`` is its frame's length (0 for the framework's own)."""
        if self._handlers:
            self._call_handlers(event)
        if self.limit:
            self._buffer.append((event, size))
            self._bytes += size
            while len(self._buffer) > self.limit or (
                self._bytes > self.max_bytes and len(self._buffer) > 1
            ):
                self._bytes -= self._buffer.popleft()[1]
                self._dropped += 1
                if self.on_drop is not None:
                    self.on_drop()
            self._wakeup.set()

    def _call_handlers(self, event: Any) -> None:
        own, every = self._handlers.get(event.type), self._handlers.get("*")
        if own is None and every is None:
            return  # most events, on the path of every frame
        for handler in (*(own or ()), *(every or ())):
            try:
                result = handler(event)
            except Exception as exc:
                self._handler_failed(handler, event, exc)
                continue
            if inspect.isawaitable(result):
                self._spawn(self._await_handler, handler, event, result)

    async def _await_handler(self, handler: Handler, event: Any, result: Any) -> None:
        try:
            await result
        except Exception as exc:
            self._handler_failed(handler, event, exc)

    def _handler_failed(self, handler: Handler, event: Any, exc: Exception) -> None:
        name = getattr(handler, "__qualname__", repr(handler))
        log.warning("event handler %s failed on %s: %r", name, event.type, exc)
        if not isinstance(event, SessionWarning):  # a failing "*" handler must not loop
            self.deliver(
                SessionWarning(f"handler {name} raised on {event.type}: {exc!r}", {"handler": name})
            )

    def end(self) -> None:
        self._ended = True
        self._wakeup.set()

    async def next(self) -> Any:
        while not self._buffer:
            if self._ended:
                raise StopAsyncIteration
            self._wakeup.clear()
            await self._wakeup.wait()
        if self._dropped:
            dropped, self._dropped = self._dropped, 0
            return SessionWarning(
                f"{dropped} events were dropped because the app read them too slowly",
                {"dropped": dropped, "limit": self.limit, "max_bytes": self.max_bytes},
            )
        event, size = self._buffer.popleft()
        self._bytes -= size
        return event

    def __len__(self) -> int:
        return len(self._buffer)
