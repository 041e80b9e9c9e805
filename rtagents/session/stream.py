"""The session's event stream: a bounded buffer for ``async for``, and ``on()`` handlers."""

from __future__ import annotations

import asyncio
import inspect
import logging
import zlib
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any, overload

from .events import SessionWarning

log = logging.getLogger("rtagents.session")
Handler = Callable[[Any], Any]
Entry = tuple[Any, ...]
"""What the buffer keeps of an event: ``(event, size)``, ``(frame, size)`` or, for a frame
packed against a shared one (see ``pack``), ``(packed, size, reference)``."""
Packed = tuple[bytes, bytes]

PACKED_TYPES = frozenset({"session.created", "session.updated", "conversation.created"})
"""Event types whose frames are nearly the same in every session of a process (the session's
configuration, bar its ids): kept unread, each is packed against one frame shared by all."""

# By kind: the frame the latest ones were packed against, one for the whole process. Replaced
# when a frame no longer resembles it; a packed frame keeps its own reference alive.
_references: dict[str, bytes] = {}
_SIMILAR = 4  # packed to at most a quarter of its size: the reference still serves
# A frame that may hold a credential (hosted MCP's, echoed back by the server: see
# ``wire.redact``) never becomes the reference, which outlives its session.
_SECRETS = (b'"authorization"', b'"headers"')


def pack(kind: str, data: str | bytes) -> Packed:
    """``data`` compressed against the last like it (of the same ``kind``) in this process:
    what sets it apart from that one, a few dozen bytes where sessions differ only by ids.
    Exact: ``unpack`` gives the same bytes back (UTF-8, for a string)."""
    raw = data.encode() if isinstance(data, str) else bytes(data)
    reference = _references.get(kind, b"")
    # memLevel 1: a small hash table, set up in a fraction of the default's time.
    if reference:
        packer = zlib.compressobj(1, zlib.DEFLATED, -15, 1, zlib.Z_DEFAULT_STRATEGY, reference)
    else:
        packer = zlib.compressobj(1, zlib.DEFLATED, -15, 1)
    packed = packer.compress(raw) + packer.flush()
    unlike = not reference or len(packed) * _SIMILAR > len(raw)
    if unlike and not any(secret in raw for secret in _SECRETS):
        _references[kind] = raw  # the next ones are packed against this one
    return packed, reference


def unpack(packed: Packed) -> bytes:
    """The bytes ``pack`` was given."""
    data, reference = packed
    unpacker = zlib.decompressobj(-15, reference) if reference else zlib.decompressobj(-15)
    return unpacker.decompress(data) + unpacker.flush()


class EventStream:
    """Delivers each event to the matching handlers and to a bounded buffer.

    Memory policy: the buffer holds at most ``limit`` events, and at most ``max_bytes`` of
    frames (the newest event is always kept). When the app reads more slowly than events
    arrive, the oldest are dropped (never the reading of the socket, which would stall tool
    calls), and the next read first yields a ``session.warning`` saying how many were lost.
    ``limit=0`` keeps no buffer (handlers only).

    Until the app first reads, the buffer keeps frames, not typed events (see ``reread``),
    those of ``PACKED_TYPES`` packed (see ``pack``), in a list: an idle session, which a
    server may hold thousands of, keeps a few hundred bytes for its first events. From the
    first read or drop on, the buffer is a deque.
    """

    def __init__(
        self,
        limit: int,
        spawn: Callable[..., None] | None = None,
        *,
        max_bytes: int = 32 * 2**20,
        tasks: Any = None,
    ) -> None:
        self.limit = limit
        self.max_bytes = max_bytes
        # Where awaitable handlers run: ``tasks.spawn`` (the session's ``SessionTasks``, kept
        # once rather than as a bound method per session) or a ``spawn`` function.
        self._tasks = tasks
        self._spawn = spawn
        # Built when first needed: an idle session (most, in a server holding thousands) keeps
        # no deque, no Event and no handler table, which the collector would scan.
        self._queue: list[Entry] | deque[Entry] | None = None  # see ``Entry``
        self._bytes = 0  # the frames' sizes of what the buffer holds
        self._dropped = 0
        self.metrics: Any = None  # counts what is dropped (``dropped()``), where it happens
        self.reread: Callable[[str | bytes], Any] | None = None
        """The adapter's decoder of a frame (``WireAdapter.reread``): until the app first
        reads, the buffer keeps a server event's frame, a plain string the collector never
        scans, instead of the typed event; ``next()`` decodes it again."""
        self._reading = False
        # asyncio's Event: the session runs on asyncio (websockets needs it), and anyio's
        # Event costs a backend lookup per wait, on the path of every event read.
        self._wakeup: asyncio.Event | None = None
        self._ended = False
        self._handlers: dict[str, list[Handler]] | None = None

    @property
    def _buffer(self) -> Sequence[tuple[Any, int]]:
        """What the buffer holds, as events (a frame kept unread is decoded on access): for
        looking at it, not the way events are read."""
        return _Decoded(self._queue or (), self.reread)

    def on(self, kind: str, handler: Handler) -> None:
        if self._handlers is None:
            self._handlers = {}
        self._handlers.setdefault(kind, []).append(handler)

    def drop_handlers(self) -> None:
        """The session is over: its handlers (which may hold it) are let go."""
        self._handlers = None
        self._tasks = self._spawn = None

    def deliver(self, event: Any, size: int = 0, frame: str | bytes | None = None) -> None:
        """Hand out ``event``; ``size`` is its frame's length (0 for the framework's own),
        ``frame`` the frame itself (kept instead of the event until the app reads)."""
        if self._handlers:
            self._call_handlers(event)
        if self.limit:
            buffer = self._queue
            if buffer is None:
                buffer = self._queue = deque() if self._reading else []
            if frame is not None and not self._reading and self.reread is not None:
                if event.type in PACKED_TYPES:
                    packed, reference = pack(event.type, frame)
                    buffer.append((packed, size, reference))
                else:
                    buffer.append((frame, size))
            else:
                buffer.append((event, size))
            self._bytes += size
            if len(buffer) > self.limit or (self._bytes > self.max_bytes and len(buffer) > 1):
                self._drop()
            if self._wakeup is not None:
                self._wakeup.set()

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

    def _call_handlers(self, event: Any) -> None:
        assert self._handlers is not None
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
                if self._tasks is not None:
                    self._tasks.spawn(self._await_handler, handler, event, result)
                elif self._spawn is not None:
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
    if reread is not None and isinstance(kept, (str, bytes)):
        return reread(unpack((entry[0], entry[2])) if len(entry) > 2 else kept)
    return kept


class _Decoded(Sequence[tuple[Any, int]]):
    """The buffer's entries with their events decoded (see ``EventStream._buffer``)."""

    def __init__(self, entries: Sequence[Entry], reread: Any) -> None:
        self._entries, self._reread = entries, reread

    def __len__(self) -> int:
        return len(self._entries)

    @overload
    def __getitem__(self, index: int) -> tuple[Any, int]: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[tuple[Any, int]]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        entry = self._entries[index]
        return _event(entry, self._reread), entry[1]
