"""Server events waiting to go out, and the steps a long piece of server work is made of."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, Union

from ..protocol import WireModel
from .actions import Disconnect, Request
from .conversation import new_id

E = TypeVar("E", bound=WireModel)
R = TypeVar("R")


class Outbox:
    """The server events the core has decided to send, in order (typed models), and the
    end of the connection when it comes after them."""

    def __init__(self) -> None:
        self._events: deque[WireModel | Disconnect] = deque()

    def emit(self, kind: type[E], /, **fields: Any) -> E:
        """Queue a ``kind`` event made of ``fields`` (its ``event_id`` is new)."""
        event = kind(event_id=new_id("event"), **fields)
        self._events.append(event)
        return event

    def disconnect(self, end: Disconnect) -> None:
        """Close the connection once the events queued before are out."""
        self._events.append(end)

    def clear(self) -> None:
        self._events.clear()

    def peek(self) -> WireModel | Disconnect | None:
        return self._events[0] if self._events else None

    def pop(self) -> WireModel | Disconnect | None:
        return self._events.popleft() if self._events else None

    def __bool__(self) -> bool:
        return bool(self._events)

    def __len__(self) -> int:
        return len(self._events)


class Emitter(Protocol):
    """Where a piece of shared server work emits its events: an ``Outbox``, or what stands
    for one on another protocol (GPT-Live's hosted MCP calls go out inside ``response.event``)."""

    def emit(self, kind: type[E], /, **fields: Any) -> object: ...


@dataclass(frozen=True)
class Pace:
    """Go on ``after_ms`` later on the core's clock, not before (audio paced at real time)."""

    after_ms: float


@dataclass(frozen=True)
class Until:
    """Go on once ``ready()`` is true (checked whenever the core looks for work)."""

    ready: Callable[[], bool]


Step = Union[Request, Pace, Until, None]
Steps = Generator[Step, Any, R]
"""Server work that takes more than one moment (a response, a hosted MCP listing), written
as a generator (``Steps[R]`` returns an ``R``). It emits into the ``Outbox`` and yields: ``None`` after each piece of
output (so that a client event, a cancel, can come in between), a ``Pace`` to wait for the
clock, an ``Until`` to wait for another job, or a ``Request`` (with ticket 0) whose answer the core sends back into it."""
