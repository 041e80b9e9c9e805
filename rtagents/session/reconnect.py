"""When and how a session reconnects: the ``Reconnect`` settings, their backoff, and the\nstep that opens the next connection (``Reconnector``)."""

from __future__ import annotations

import contextlib
import math
import numbers
import random
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import NamedTuple, Protocol

import anyio

from .._redact import redact
from .._seconds import check_seconds
from ..errors import ConnectError, root_cause
from .events import SessionReconnecting
from .journal import DEFAULT_MAX_ITEMS, DEFAULT_MAX_TOKENS
from .states import RENEWING, Connection, Link
from .transport import HandshakeRefused, Transport, TransportClosed

_JITTER = random.Random()


@dataclass(frozen=True)
class Reconnect:
    """How a session survives its connection: ``connect(..., reconnect=Reconnect(...))``.

    On by default for the sessions ``connect`` opens itself. An unexpected end (a drop, a
    close with 1006 or 1011, a TCP reset, a keepalive timeout, the session's time cap) opens
    a new connection after a capped exponential backoff with jitter, sends the agent's
    configuration and gives the new Realtime session the conversation back. A close the app
    asked for, a refused key or a rejected configuration is not retried.

    A new connection proves healthy once it is configured (our ``session.update`` answered)
    and then either finishes a response or stays up ``healthy_after`` seconds. Until one does, attempts are
    counted on across connections: a server that accepts each connection and then drops it
    is tried ``attempts`` times in all, with the backoff growing, and then the session closes
    saying so. A healthy connection's drop starts the count again from 1.

    Args:
        attempts: Connections tried after a drop, until one proves healthy, before the
            session closes.
        backoff: Seconds before the first attempt; doubled each time after.
        max_backoff: The cap on that delay.
        jitter: Each delay is scaled by a random factor in ``1 ± jitter``, so that many
            sessions dropped at once do not all come back at once.
        handover_before_s: When the server says when the session expires (``expires_at``),
            move to a fresh session this many seconds before, at a moment no response is
            active (``None``: wait for the cap, then reconnect).
        max_items: The journal's bound in items (see "Reconnect and replay" in the docs).
        max_tokens: Its bound in tokens (about four characters each).
        healthy_after: Seconds a configured connection that has not finished a response yet
            must stay up to prove healthy.
    """

    attempts: int = 6
    backoff: float = 0.25
    max_backoff: float = 8.0
    jitter: float = 0.2
    handover_before_s: float | None = None
    max_items: int = DEFAULT_MAX_ITEMS
    max_tokens: int = DEFAULT_MAX_TOKENS
    healthy_after: float = 10.0

    def __post_init__(self) -> None:
        if not _whole(self.attempts):  # (NaN: no attempt, ever)
            raise ValueError(
                "Reconnect(attempts=) must be a whole number, at least 1; use reconnect=None"
            )
        if self.backoff < 0 or self.max_backoff < self.backoff or not 0 <= self.jitter < 1:
            raise ValueError("Reconnect needs 0 <= backoff <= max_backoff and 0 <= jitter < 1")
        if self.healthy_after < 0:
            raise ValueError("Reconnect(healthy_after=) must be at least 0")
        numbers = (self.backoff, self.max_backoff, self.jitter, self.healthy_after)
        if not all(math.isfinite(n) for n in numbers):  # (NaN passes every comparison above)
            raise ValueError("Reconnect takes finite numbers of seconds (no NaN, no infinity)")
        if not (_whole(self.max_items) and _whole(self.max_tokens)):
            raise ValueError("Reconnect(max_items=, max_tokens=) must be whole numbers, at least 1")
        if self.handover_before_s is not None:
            check_seconds(self.handover_before_s, "Reconnect(handover_before_s=)")

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """The wait before attempt number ``attempt`` (from 1)."""
        # (The exponent capped: past about 1,024 attempts ``2.0 **`` overflows, and the
        # wait is long since ``max_backoff``.)
        base = min(self.max_backoff, self.backoff * 2.0 ** min(attempt - 1, 1000))
        return base * (1 + self.jitter * (rng or _JITTER).uniform(-1, 1))

    def delays(self, rng: random.Random | None = None) -> Iterator[float]:
        """The wait before each attempt."""
        draw = rng or random.Random()
        for attempt in range(1, self.attempts + 1):
            yield self.delay(attempt, draw)


# Refusals that will be the same next time: a refused key (401, 403), or a session or call
# that no longer exists (404: the call of a sideband has ended).
_FINAL = frozenset({401, 403, 404})


class ReconnectFailed(Exception):
    """Reconnecting gave up; the message says why (the session closes with it)."""


class Reopened(NamedTuple):
    transport: Transport
    attempts: int
    started: float
    """When the drop was noticed (``time.monotonic``)."""


class HandoverPort(Protocol):
    """What the handover before the time cap needs of a session."""

    def cap_due(self) -> float | None:
        """When the server says the session expires (Unix seconds), if it says."""

    def idle(self) -> bool:
        """Online, with no response active or asked for: a moment to hand over."""

    @property
    def over(self) -> bool: ...

    async def hand_over(self) -> None:
        """Close the connection to move to a fresh session (the reader reconnects)."""

    def warn(self, message: str) -> None:
        """Tell the app (a ``session.warning``)."""


class Reconnector:
    """Opens a session's next connection after a drop, with backoff, and decides when to
    give up: it returns the new transport; the runner configures it and gives it the
    conversation back."""

    def __init__(
        self,
        settings: Reconnect,
        opener: Callable[[], Awaitable[Transport]],
        deliver: Callable[[SessionReconnecting], None] | None = None,
    ) -> None:
        self.settings = settings
        self._opener = opener
        self._deliver = deliver
        # Attempts since the last healthy connection; when the current one was set up
        # (configured, given the conversation back), and the responses done by then.
        self._streak = 0
        self._up_since: float | None = None
        self._done_before = 0

    @staticmethod
    def recoverable(exc: TransportClosed, link: Connection) -> bool:
        """A drop we reconnect after: not one the app asked for, nor a normal close (except
        the one that ends a session at its time cap); one already known is (see ``lost``)."""
        if link.state is Link.CLOSED:
            return False
        return exc.error or link.state in RENEWING or link.state is Link.OFFLINE

    async def reopen(
        self,
        cause: str,
        *,
        planned: bool,
        responses_done: int,
        deliver: Callable[[SessionReconnecting], None] | None = None,
    ) -> Reopened:
        """The next connection, after the backoff; raises ``ReconnectFailed``. ``deliver``
        tells the app of each attempt (else the one given at construction)."""
        tell = deliver or self._deliver
        settings, started = self.settings, time.monotonic()
        if planned:
            cause = "handing over before the session's time cap"
        if planned or self._proved_healthy(started, responses_done):
            self._streak = 0
        self._up_since = None
        while self._streak < settings.attempts:
            self._streak += 1
            attempt = self._streak
            delay = 0.0 if planned and attempt == 1 else settings.delay(attempt)
            if tell is not None:
                tell(SessionReconnecting(attempt, round(delay, 3), cause))
            await anyio.sleep(delay)
            try:
                return Reopened(await self._opener(), attempt, started)
            except HandshakeRefused as error:
                if error.status in _FINAL:
                    raise ReconnectFailed(
                        f"the connection dropped and the server refused a new one ({error})"
                    ) from None
                cause = str(error)
            except Exception as error:
                cause = str(error) if isinstance(error, ConnectError) else _describe(error)
        raise ReconnectFailed(
            f"the connection could not be kept: {self._streak} connections in a row failed "
            f"or dropped within {settings.healthy_after:g} s ({cause})"
        )

    async def open_once(self) -> Transport:
        """One more connection, at once and without retries: for a last word (the goodbye
        of a session the app closed while its connection was down)."""
        return await self._opener()

    def set_up(self, responses_done: int) -> None:
        """The new connection is configured and has the conversation back."""
        self._up_since, self._done_before = time.monotonic(), responses_done

    def _proved_healthy(self, dropped_at: float, responses_done: int) -> bool:
        """Whether the connection that just dropped did real work: set up, then a response
        finished on it, or it stayed up ``healthy_after`` seconds (see ``Reconnect``)."""
        if self._up_since is None:
            return False
        worked = responses_done > self._done_before
        return worked or dropped_at - self._up_since >= self.settings.healthy_after

    async def hand_over_before_expiry(self, session: HandoverPort) -> None:
        """A task for the session's life: shortly before the server's time cap, at a moment
        no response is active, move to a fresh session (the same replay as after a drop)."""
        before = self.settings.handover_before_s
        if before is None:
            return
        seen, since, told = None, 0.0, False  # a session's cap, and when we first saw it
        while not session.over:
            expires = session.cap_due()
            if expires is not None and not math.isfinite(expires):
                expires = None  # (no cap: NaN compares false to any time, and seemed due)
            if expires != seen:
                seen, since = expires, time.time()
            due = None if expires is None else expires - before
            if expires is not None and expires - before <= since:
                # Due as it began: a fresh session would be too, and the next, a handover and
                # a whole replay each at once. It runs to its cap (a drop, reconnected) instead.
                if not told:
                    told = True
                    session.warn(
                        f"the server's sessions last {expires - since:.0f} s, not longer than "
                        f"Reconnect(handover_before_s={before:g}): no handover, the session "
                        "reconnects at the cap"
                    )
                due = None
            if due is None or time.time() < due or not session.idle():
                await anyio.sleep(0.05 if due is not None and time.time() >= due else 0.25)
                continue
            with contextlib.suppress(Exception):
                await session.hand_over()


def _whole(value: object) -> bool:
    """A whole number, at least 1: an ``int`` of any kind (numpy's, an ``IntEnum``), never a
    ``bool``, a fraction or NaN (which passes every comparison, and bounds nothing)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and int(value) >= 1


def _describe(error: Exception) -> str:
    return redact(root_cause(error, None))  # (what failed may quote a secret)
