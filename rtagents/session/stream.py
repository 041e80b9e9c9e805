"""The session's event stream: a bounded buffer for ``async for``, and ``on()`` handlers."""

from __future__ import annotations

import asyncio
import inspect
import logging
import zlib
from collections import deque
from collections.abc import Callable
from typing import Any

from .._either import being_cancelled
from .events import SessionWarning

log = logging.getLogger("rtagents.session")
Handler = Callable[[Any], Any]
Entry = tuple[Any, ...]
"""What the buffer keeps of an event: ``(event, size)``, ``(frame, size)``, or for a frame
kept compressed, ``(compressed, size, PACKED)``."""
PACKED = True

PACKED_TYPES = frozenset({"session.created", "session.updated", "conversation.created"})
"""Event types whose frames (the session's whole configuration) are kept compressed until
the app reads them: a few hundred bytes instead of a few kilobytes per idle session."""


def _pack(frame: str | bytes) -> bytes:
    # Level 1, a small window: these frames are small, and it is set up in a fraction of the
    # default's time (connecting thousands of sessions).
    packer = zlib.compressobj(1, zlib.DEFLATED, -15, 1)
    return packer.compress(frame.encode() if isinstance(frame, str) else frame) + packer.flush()


MOST_AWAITING = 1024
"""Async handlers' tasks running at once, at most: each holds its event (an audio delta, say),
and a slow handler must not hold every event of a session (the buffer's bounds, for them)."""
_BEHIND = (
    f"async event handlers are {MOST_AWAITING} events behind: events are not given to them "
    "until they catch up"
)


class EventStream:
    """Delivers each event to the matching handlers and to a bounded buffer.

    Memory policy: the buffer holds at most ``limit`` events, and at most ``max_bytes`` of
    frames (the newest event is always kept). When the app reads more slowly than events
    arrive, the oldest are dropped (never the reading of the socket, which would stall tool
    calls), and the next read first yields a ``session.warning`` saying how many were lost.
    ``limit=0`` keeps no buffer (handlers only).

    Until the app first reads, the buffer keeps frames, not typed events (see ``reread``),
    those of ``PACKED_TYPES`` compressed, in a list: an idle session, which a
    server may hold thousands of, keeps a few hundred bytes for its first events. From the
    first read or drop on, the buffer is a deque.
    """

    # Built when first needed, and class attributes until then (performance.md, "Density"):
    # an idle session (most, in a server holding thousands) keeps no deque, no Event and no
    # handler table, nor a slot for each, which the collector would scan.
    _queue: list[Entry] | deque[Entry] | None = None  # see ``Entry``
    _bytes = 0  # the frames' sizes of what the buffer holds
    _dropped = 0
    metrics: Any = None  # counts what is dropped (``dropped()``), where it happens
    reread: Callable[[str | bytes], Any] | None = None
    """The adapter's decoder of a frame (``WireAdapter.reread``): until the app first reads,
    the buffer keeps a server event's frame, a plain string the collector never scans,
    instead of the typed event; ``next()`` decodes it again."""
    _reading = False
    # asyncio's Event: the session runs on asyncio (websockets needs it), and anyio's Event
    # costs a backend lookup per wait, on the path of every event read.
    _wakeup: asyncio.Event | None = None
    _ended = False
    _handlers: dict[str, list[Handler]] | None = None
    _awaiting = 0  # async handlers' tasks still running
    _unhandled = 0  # events not given to them since they fell behind

    def __init__(
        self,
        limit: int,
        *,
        max_bytes: int = 32 * 2**20,
        tasks: Any = None,
    ) -> None:
        self.limit = limit
        self.max_bytes = max_bytes
        # Where awaitable handlers run: ``tasks.handler`` (the session's ``SessionTasks``, kept
        # once rather than as a bound method per session).
        self._tasks = tasks

    def on(self, kind: str, handler: Handler) -> None:
        if self._handlers is None:
            self._handlers = {}
        self._handlers.setdefault(kind, []).append(handler)

    def drop_handlers(self) -> None:
        """The session is over: its handlers (which may hold it) are let go."""
        self._handlers = None
        self._tasks = None

    def deliver(self, event: Any, size: int = 0, frame: str | bytes | None = None) -> None:
        """Hand out ``event``; ``size`` is its frame's length (0 for the framework's own),
        ``frame`` the frame itself (kept instead of the event until the app reads)."""
        later = self._call_handlers(event) if self._handlers else None
        if self.limit:
            buffer = self._queue
            if buffer is None:
                buffer = self._queue = deque() if self._reading else []
            if frame is not None and not self._reading and self.reread is not None:
                if event.type in PACKED_TYPES:
                    buffer.append((_pack(frame), size, PACKED))
                else:
                    buffer.append((frame, size))
            else:
                buffer.append((event, size))
            self._bytes += size
            if len(buffer) > self.limit or (self._bytes > self.max_bytes and len(buffer) > 1):
                self._drop()
            if self._wakeup is not None:
                self._wakeup.set()
        for warning in later or ():  # told after the event they are about ("*" sees it first)
            self.deliver(warning)

    def _drop(self) -> None:
        """Drop the oldest events until the buffer is within its limits again."""
        buffer = self._queue
        if not isinstance(buffer, deque):  # a backlog from now on: dropped from, in O(1)
            buffer = self._queue = deque(buffer or ())
        while len(buffer) > self.limit or (self._bytes > self.max_bytes and len(buffer) > 1):
            self._bytes -= buffer.popleft()[1]
            self._dropped += 1
            if self.metrics is not None:
                self.metrics.dropped()

    def _call_handlers(self, event: Any) -> list[SessionWarning] | None:
        """Each handler of ``event``, an async one in a task of its own; the warnings to
        tell once the event is delivered (what sync ones raised, async ones behind)."""
        assert self._handlers is not None
        own, every = self._handlers.get(event.type), self._handlers.get("*")
        if own is None and every is None:
            return None  # most events, on the path of every frame
        later: list[SessionWarning] | None = None  # (made only when there is one)
        for handler in (*(own or ()), *(every or ())):
            try:
                result = handler(event)
            except (Exception, asyncio.CancelledError) as exc:  # (a sync handler's own)
                later = [*(later or ()), *self._failure(handler, event, exc)]
                continue
            except BaseException as exc:
                # SystemExit, KeyboardInterrupt: the app asks to stop. Raised here, it would
                # stop whatever told the event half-way (the end, a call's answer) or go
                # through the event loop (a loop callback told it): the session ends from a
                # task of its own instead, and connect() raises it. The event is still the
                # other handlers' and the buffer's.
                if self._tasks is None:
                    raise  # a stream with no session (its own tests): nowhere else to go
                self._tasks.fatal(exc)
                continue
            if inspect.isawaitable(result) and self._tasks is not None:
                if self._awaiting >= MOST_AWAITING:
                    later = [*(later or ()), *self._unawaited(result)]
                    continue
                self._awaiting += 1
                self._tasks.handler(self._await_handler, handler, event, result)
        return later

    def _unawaited(self, result: Any) -> list[SessionWarning]:
        """Async handlers are ``MOST_AWAITING`` events behind (a slow downstream): the event
        is not given to another, and the app is told (at the first, then how many in all
        once they catch up), as for the buffer's drops."""
        if inspect.iscoroutine(result):
            result.close()  # (never awaited, never warned about as such)
        self._unhandled += 1
        if self._unhandled > 1 or self._ended:
            return []
        return [SessionWarning(_BEHIND, {"dropped": 1, "running": self._awaiting})]

    async def _await_handler(self, handler: Handler, event: Any, result: Any) -> None:
        try:
            await result
        except Exception as exc:
            self._handler_failed(handler, event, exc)
        except asyncio.CancelledError as exc:
            # Its own (it awaited work the app cancelled elsewhere): a failure like any other;
            # the session's cancelling it (its end) goes on as one.
            if being_cancelled():
                raise
            self._handler_failed(handler, event, exc)
        finally:
            self._awaiting -= 1
            if self._unhandled and self._awaiting <= MOST_AWAITING // 2:
                missed, self._unhandled = self._unhandled, 0
                if not self._ended:
                    self.deliver(
                        SessionWarning(
                            f"{missed} events were not given to async handlers, which were "
                            f"{MOST_AWAITING} events behind",
                            {"dropped": missed, "running": self._awaiting},
                        )
                    )

    def _handler_failed(self, handler: Handler, event: Any, exc: BaseException) -> None:
        for warning in self._failure(handler, event, exc):
            self.deliver(warning)

    def _failure(self, handler: Handler, event: Any, exc: BaseException) -> list[SessionWarning]:
        """A handler's failure, logged; the warning to tell of it (none once ``session.closed``
        was the last event, nor of a warning: a failing "*" handler must not loop)."""
        name = getattr(handler, "__qualname__", repr(handler))
        log.warning("event handler %s failed on %s: %r", name, event.type, exc)
        if self._ended or isinstance(event, SessionWarning):
            return []
        said = f"handler {name} raised on {event.type}: {exc!r}"
        return [SessionWarning(said, {"handler": name})]

    def end(self) -> None:
        self._ended = True
        if self._wakeup is not None:
            self._wakeup.set()

    async def next(self) -> Any:
        self._reading = True
        while not self._queue:
            if self._ended:
                raise StopAsyncIteration
            if self._wakeup is None:
                self._wakeup = asyncio.Event()
            self._wakeup.clear()
            await self._wakeup.wait()
        if self._dropped:
            dropped, self._dropped = self._dropped, 0
            return SessionWarning(
                f"{dropped} events were dropped because the app read them too slowly",
                {"dropped": dropped, "limit": self.limit, "max_bytes": self.max_bytes},
            )
        queue = self._queue
        if not isinstance(queue, deque):  # the app reads: the buffer is a deque from now on
            queue = self._queue = deque(queue)
        entry = queue.popleft()
        self._bytes -= entry[1]
        return _event(entry, self.reread)

    def __len__(self) -> int:
        return len(self._queue) if self._queue is not None else 0


def _event(entry: Entry, reread: Callable[[str | bytes], Any] | None) -> Any:
    """A buffered entry's event: a frame kept before the app read is decoded again."""
    kept = entry[0]
    if reread is None or not isinstance(kept, (str, bytes)):
        return kept
    return reread(
        zlib.decompress(kept, -15) if isinstance(kept, bytes) and len(entry) > 2 else kept
    )
