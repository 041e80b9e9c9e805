"""Faults the emulator injects on purpose, for testing how a client copes: a dropped
connection, an expiring session, an error in reply to a client event, latency.

``Emulator(faults=[DropConnection(after="response.done")])`` applies them to every
connection (each counts on its own); ``emu.last.add_fault(...)`` to one that is open. The
CLI takes the same as ``--fault KIND:key=value,...`` (see ``parse_fault``).
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass, field, fields
from typing import Any, Union

from .errors import ClientEventError


@dataclass(frozen=True)
class DropConnection:
    """Close the connection after the ``nth`` server event of type ``after``, or ``at_s``
    seconds after it opened: with a close frame of ``code``, or with a TCP reset."""

    after: str | None = None
    nth: int = 1
    at_s: float | None = None
    code: int = 1011
    reason: str = "emulator dropped the connection"
    reset: bool = False

    def __post_init__(self) -> None:
        if (self.after is None) == (self.at_s is None):
            raise ValueError("DropConnection needs exactly one of after= and at_s=")


@dataclass(frozen=True)
class ExpireSession:
    """The session hits its time cap ``at_s`` seconds after it opened: an ``error`` with code
    ``session_expired``, then the server closes the connection."""

    at_s: float


@dataclass(frozen=True)
class ErrorReply:
    """Answer the ``nth`` client event of type ``to`` with an ``error`` of ``code`` instead
    of handling it (``conversation_already_has_active_response`` makes that race happen)."""

    to: str
    code: str
    message: str = "The emulator was told to fail this event."
    nth: int = 1
    type: str = "invalid_request_error"


@dataclass(frozen=True)
class Latency:
    """Delay every server event by ``ms``, plus up to ``jitter_ms`` drawn from ``seed``."""

    ms: float
    jitter_ms: float = 0.0
    seed: int = 0
    _random: random.Random = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_random", random.Random(self.seed))

    def delay_s(self) -> float:
        return (self.ms + self._random.uniform(0, self.jitter_ms)) / 1000


Fault = Union[DropConnection, ExpireSession, ErrorReply, Latency]
KINDS: dict[str, type[Any]] = {
    "drop": DropConnection,
    "expire": ExpireSession,
    "error": ErrorReply,
    "latency": Latency,
}


def parse_fault(text: str) -> Fault:
    """``drop:after=response.done,code=1011`` -> ``DropConnection(after="response.done",
    code=1011)``; kinds: ``drop``, ``expire``, ``error``, ``latency``."""
    kind, _, rest = text.partition(":")
    cls = KINDS.get(kind.strip())
    if cls is None:
        raise ValueError(f"unknown fault {kind!r}: use one of {', '.join(KINDS)}")
    types = {f.name: f.type for f in fields(cls) if f.init}
    values: dict[str, Any] = {}
    for pair in filter(None, (p.strip() for p in rest.split(","))):
        key, sep, value = pair.partition("=")
        if not sep or key not in types:
            raise ValueError(f"fault {kind}: {pair!r} is not one of {', '.join(types)}=VALUE")
        kind_of = str(types[key])
        if "bool" in kind_of:
            values[key] = value.lower() in ("1", "true", "yes")
        elif "int" in kind_of and "float" not in kind_of:
            values[key] = int(value)
        elif "float" in kind_of:
            values[key] = float(value)
        else:
            values[key] = value
    try:
        fault: Fault = cls(**values)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"fault {kind}: {exc}") from None
    return fault


def _timed(fault: Fault) -> bool:
    return isinstance(fault, ExpireSession) or (
        isinstance(fault, DropConnection) and fault.at_s is not None
    )


class Injector:
    """One connection's faults: it counts the events each way and fires what is due.

    The connection calls it around each event it sends and before each it handles; time
    faults run on the event loop's timers. ``emit`` sends a server event, ``drop`` ends the
    connection (code, reason, reset).
    """

    def __init__(
        self,
        faults: Iterable[Fault],
        emit: Callable[[dict[str, Any]], Coroutine[Any, Any, None]],
        drop: Callable[..., Coroutine[Any, Any, None]],
    ) -> None:
        self._faults = list(faults)
        self._emit = emit
        self._drop = drop
        self._counts: Counter[str] = Counter()  # events by type, each way ("<" received)
        self._timers: list[asyncio.TimerHandle] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._started = False

    def __bool__(self) -> bool:
        """Whether any fault looks at each event (time faults only need their timers)."""
        return any(not _timed(f) for f in self._faults)

    def add(self, fault: Fault) -> None:
        self._faults.append(fault)
        if self._started:
            self._schedule(fault)

    def start(self) -> None:
        self._started = True
        for fault in self._faults:
            self._schedule(fault)

    def stop(self) -> None:
        for timer in self._timers:
            timer.cancel()

    async def before_send(self) -> None:
        for fault in self._faults:
            if isinstance(fault, Latency):
                await asyncio.sleep(fault.delay_s())

    async def sent(self, kind: str) -> None:
        self._counts[kind] += 1
        for fault in self._faults:
            if (
                isinstance(fault, DropConnection)
                and fault.after == kind
                and self._counts[kind] == fault.nth
            ):
                await self._drop(fault.code, fault.reason, reset=fault.reset)

    def received(self, kind: str) -> None:
        """Raises the error an ``ErrorReply`` says this client event gets."""
        self._counts["<" + kind] += 1
        for fault in self._faults:
            if (
                isinstance(fault, ErrorReply)
                and fault.to == kind
                and self._counts["<" + kind] == fault.nth
            ):
                raise ClientEventError(fault.message, code=fault.code, type=fault.type)

    def _schedule(self, fault: Fault) -> None:
        if not isinstance(fault, (DropConnection, ExpireSession)) or fault.at_s is None:
            return
        loop = asyncio.get_running_loop()

        def fire() -> None:
            if isinstance(fault, DropConnection):
                coro = self._drop(fault.code, fault.reason, reset=fault.reset)
            else:
                coro = self._expire()
            task: asyncio.Task[None] = loop.create_task(coro)
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

        self._timers.append(loop.call_later(fault.at_s, fire))

    async def _expire(self) -> None:
        try:
            await self._emit(
                {
                    "type": "error",
                    "error": {
                        "type": "invalid_request_error",
                        "code": "session_expired",
                        "message": "Your session hit the maximum duration of 60 minutes.",
                        "param": None,
                        "event_id": None,
                    },
                }
            )
        finally:
            await self._drop(1000, "session expired", reset=False)
