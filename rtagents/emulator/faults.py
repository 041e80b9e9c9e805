"""Faults the emulator injects on purpose, for testing how a client copes: a dropped
connection, an expiring session, an error in reply to a client event, latency.

``Emulator(faults=[DropConnection(after="response.done")])`` applies them to every
connection (each counts on its own); ``emu.last.add_fault(...)`` to one that is open. The
CLI takes the same as ``--fault KIND:key=value,...`` (see ``parse_fault``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, fields
from typing import Any, Union


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
