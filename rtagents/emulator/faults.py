"""Faults the emulator injects on purpose, for testing how a client copes: a dropped
connection, an expiring session, an error in reply to a client event, latency, a lost race
for the active response.

``Emulator(faults=[DropConnection(after="response.done")])`` applies them to every
connection (each counts on its own); ``emu.last.add_fault(...)`` to one that is open. The
CLI takes the same as ``--fault KIND:key=value,...`` (see ``parse_fault``).
"""

from __future__ import annotations

import difflib
import functools
import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import MISSING, dataclass, fields
from typing import Any, Union

from .errors import ClientEventError


@dataclass(frozen=True)
class _Trigger:
    """When an ending fault fires: after the ``nth`` server event of type ``after``, on the
    ``nth`` client event of type ``on_client`` (which is then never answered), or ``at_s``
    seconds after the connection opened. Exactly one of the three."""

    after: str | None = None
    on_client: str | None = None
    at_s: float | None = None
    nth: int = 1

    def __post_init__(self) -> None:
        given = [x for x in (self.after, self.on_client, self.at_s) if x is not None]
        if len(given) != 1:
            raise ValueError(
                f"{type(self).__name__} needs exactly one of after=, on_client= and at_s="
            )
        # A misspelt type would never fire, and a client under test would seem to survive
        # a fault that never came: said now, with the nearest type.
        _known("after", self.after, _server_events())
        _known("on_client", self.on_client, _client_events())


@dataclass(frozen=True)
class DropConnection(_Trigger):
    """Close the connection when its trigger fires (see ``after``, ``on_client``, ``at_s``):
    with a close frame of ``code``, or with a TCP reset.

    A GPT-Live session outlives its dropped connection, and the connection that attaches
    to it carries its work on (``live.core.LiveCore.reattach``). With ``loses_work`` the
    work under way is lost with the connection instead, as on a server that keeps less than
    the whole session: the events not yet sent, the model's turn, a backend response still
    streaming (one that made calls then waits for their outputs, whose arguments may never
    have been sent). A client must cope with both."""

    code: int = 1011
    reason: str = "emulator dropped the connection"
    reset: bool = False
    loses_work: bool = False


@dataclass(frozen=True)
class ExpireSession(_Trigger):
    """The session hits its time cap when the trigger fires (``at_s`` seconds after it
    opened, or at an event): an ``error`` with code ``session_expired``, then the server
    closes the connection."""


@dataclass(frozen=True)
class ErrorReply:
    """Answer the ``nth`` client event of type ``to`` with an ``error`` of ``code`` instead
    of handling it (``conversation_already_has_active_response`` makes that race happen)."""

    to: str
    code: str
    message: str = "The emulator was told to fail this event."
    nth: int = 1
    type: str = "invalid_request_error"

    def __post_init__(self) -> None:
        _known("to", self.to, _client_events())


@dataclass(frozen=True)
class Latency:
    """Delay every server event by ``ms``, plus up to ``jitter_ms`` drawn from ``seed``
    (each connection draws its own sequence, so a run repeats exactly)."""

    ms: float
    jitter_ms: float = 0.0
    seed: int = 0


@dataclass(frozen=True)
class RaceResponse:
    """The ``nth`` ``response.create`` loses a race, as it does on the real server when
    server VAD starts a response at the same moment: a response the server started on its
    own is already active, and the client's gets ``conversation_already_has_active_response``."""

    nth: int = 1


Fault = Union[DropConnection, ExpireSession, ErrorReply, Latency, RaceResponse]
KINDS: dict[str, type[Any]] = {
    "drop": DropConnection,
    "expire": ExpireSession,
    "error": ErrorReply,
    "latency": Latency,
    "race": RaceResponse,
}


def _known(option: str, kind: str | None, known: frozenset[str]) -> None:
    if kind is not None and kind not in known:
        near = difflib.get_close_matches(kind, sorted(known), n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise ValueError(f"{option}={kind!r} is no event type of either API{hint}")


@functools.cache
def _server_events() -> frozenset[str]:
    from ..protocol import codec
    from ..protocol.live import codec as live

    return frozenset((*codec.SERVER_EVENTS, *live.SERVER_EVENTS, *live.RESPONSES_EVENTS))


@functools.cache
def _client_events() -> frozenset[str]:
    from ..protocol import codec
    from ..protocol.live import codec as live

    return frozenset((*codec.CLIENT_EVENTS, *live.CLIENT_EVENTS))


def parse_fault(text: str) -> Fault:
    """``drop:after=response.done,code=1011`` -> ``DropConnection(after="response.done",
    code=1011)``; kinds: ``drop``, ``expire``, ``error``, ``latency``, ``race``."""
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
        try:
            values[key] = _value(kind_of, value)
        except ValueError:
            what = "true or false" if "bool" in kind_of else "a number"
            raise ValueError(f"fault {kind}: {key}={value!r} is not {what}") from None
    needed = [f.name for f in fields(cls) if f.init and f.default is MISSING]
    if missing := [name for name in needed if name not in values]:
        raise ValueError(f"fault {kind}: give {', '.join(f'{m}=' for m in missing)}")
    try:
        fault: Fault = cls(**values)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"fault {kind}: {exc}") from None
    return fault


def _value(kind_of: str, value: str) -> Any:
    if "bool" in kind_of:
        if value.lower() not in _BOOLS:
            raise ValueError(value)
        return _BOOLS[value.lower()]
    if "int" in kind_of and "float" not in kind_of:
        return int(value)
    if "float" in kind_of:
        return float(value)
    return value


_BOOLS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}


class FaultPlan:
    """One connection's faults, sans I/O: it counts the events each way and says what is
    due. The server core asks it before handling each client event, after handing out each
    server event, and for the time faults when the connection starts."""

    def __init__(self, faults: Iterable[Fault]) -> None:
        self._faults: list[Fault] = []
        self._counts: Counter[str] = Counter()  # events by type, each way ("<" received)
        self._jitter: dict[int, random.Random] = {}
        self._base: dict[int, int] = {}  # events counted before each fault was added
        for fault in faults:
            self.add(fault)

    def add(self, fault: Fault) -> None:
        """From now on: a fault added to an open connection counts events from here."""
        self._faults.append(fault)
        if isinstance(fault, Latency):
            self._jitter[id(fault)] = random.Random(fault.seed)
        self._base[id(fault)] = self._counts[_counted(fault)]

    def delay_ms(self) -> float:
        """How long the next server event waits (0 without a ``Latency``)."""
        total = 0.0
        for fault in self._faults:
            if isinstance(fault, Latency):
                total += fault.ms + self._jitter[id(fault)].uniform(0, fault.jitter_ms)
        return total

    def sent(self, kind: str) -> DropConnection | ExpireSession | None:
        """Counts a server event handed out; the end it triggers, if any."""
        self._counts[kind] += 1
        return self._ending("after", kind, self._counts[kind])

    def received(self, kind: str) -> DropConnection | ExpireSession | RaceResponse | None:
        """Counts a client event: the end it triggers (the event is then not handled), or a
        lost race (a response of the server's own starts first). Raises the error an
        ``ErrorReply`` gives it instead of handling it."""
        self._counts["<" + kind] += 1
        count = self._counts["<" + kind]
        for fault in self._faults:
            if isinstance(fault, ErrorReply) and fault.to == kind and self._nth(fault, count):
                raise ClientEventError(fault.message, code=fault.code, type=fault.type)
        if kind == "response.create":
            race = next(
                (f for f in self._faults if isinstance(f, RaceResponse) and self._nth(f, count)),
                None,
            )
            if race is not None:
                return race
        return self._ending("on_client", kind, count)

    def _ending(self, field: str, kind: str, count: int) -> DropConnection | ExpireSession | None:
        for fault in self._faults:
            if (
                isinstance(fault, (DropConnection, ExpireSession))
                and getattr(fault, field) == kind
                and self._nth(fault, count)
            ):
                return fault
        return None

    def _nth(self, fault: Any, count: int) -> bool:
        return count - self._base.get(id(fault), 0) == int(fault.nth)


def _counted(fault: Fault) -> str:
    """The event count a fault watches ("<" for client events; "" for none)."""
    if isinstance(fault, (DropConnection, ExpireSession)):
        if fault.on_client:
            return "<" + fault.on_client
        return fault.after or ""
    if isinstance(fault, ErrorReply):
        return "<" + fault.to
    if isinstance(fault, RaceResponse):
        return "<response.create"
    return ""
