"""When and how a session reconnects: the ``Reconnect`` settings and their backoff."""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import anyio

from ..errors import ConnectError, SessionConfigError
from .events import SessionReconnected, SessionReconnecting
from .journal import DEFAULT_MAX_ITEMS, DEFAULT_MAX_TOKENS
from .transport import Transport, TransportClosed

if TYPE_CHECKING:
    from .runner import SessionRunner


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
        if self.attempts < 1:
            raise ValueError("Reconnect(attempts=) must be at least 1; use reconnect=None")
        if self.backoff < 0 or self.max_backoff < self.backoff or not 0 <= self.jitter < 1:
            raise ValueError("Reconnect needs 0 <= backoff <= max_backoff and 0 <= jitter < 1")
        if self.healthy_after < 0:
            raise ValueError("Reconnect(healthy_after=) must be at least 0")

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """The wait before attempt number ``attempt`` (from 1)."""
        base = min(self.max_backoff, self.backoff * 2.0 ** (attempt - 1))
        return base * (1 + self.jitter * (rng or _JITTER).uniform(-1, 1))

    def delays(self, rng: random.Random | None = None) -> Iterator[float]:
        """The wait before each attempt."""
        draw = rng or random.Random()
        for attempt in range(1, self.attempts + 1):
            yield self.delay(attempt, draw)


class Relink:
    """One session's connection, across drops: it notices a connection is lost, opens the
    next with backoff, configures it, and gives it the conversation back before anything
    else is sent on it.

    ``offline`` runs from a drop until the new connection has the conversation back;
    ``epoch`` counts connections; ``gate`` holds every other send while the replay goes out.
    """

    def __init__(
        self,
        runner: SessionRunner,
        settings: Reconnect | None,
        opener: Callable[[], Awaitable[Transport]] | None,
        sideband: bool,
    ) -> None:
        self._runner = runner
        self._settings = settings
        self._opener = opener
        self._sideband = sideband
        self.offline = False
        self.epoch = 0
        self.gate: anyio.Event | None = None
        self.gave_up: str | None = None
        """Why reconnecting failed, when it did."""
        self._handing_over = False
        # Attempts since the last healthy connection; when the current one was set up
        # (configured, given the conversation back), and the responses done by then.
        self._streak = 0
        self._up_since: float | None = None
        self._done_before = 0

    @property
    def enabled(self) -> bool:
        return self._settings is not None

    def recoverable(self, exc: TransportClosed) -> bool:
        """A drop we reconnect after: not one the app asked for, nor a normal close
        (except the one that ends a session at its time cap)."""
        runner = self._runner
        return (
            self._settings is not None
            and runner.closed_reason is None
            and (exc.error or runner.core.expired or self._handing_over)
        )

    async def hand_over_before_expiry(self) -> None:
        """A task for the session's life: shortly before the server's time cap, at a moment
        no response is active, move to a fresh session (the same replay as after a drop)."""
        settings, runner = self._settings, self._runner
        if settings is None or settings.handover_before_s is None or self._opener is None:
            return
        while runner.closed_reason is None:
            expires = runner.core.expires_at
            due = None if expires is None else expires - settings.handover_before_s
            if due is None or time.time() < due or self.offline or runner.core.turns.waiting:
                await anyio.sleep(0.05 if due is not None and time.time() >= due else 0.25)
                continue
            self._handing_over = True
            runner.core.expires_at = None  # the next session says its own
            with contextlib.suppress(Exception):
                # The reader sees the close and reconnects; the next session's
                # ``expires_at`` starts the wait again.
                await runner.transport.close()

    async def lost(self, transport: Transport) -> None:
        """``transport`` is gone: calls and approvals go on; sends wait for the next one."""
        runner = self._runner
        if transport is not runner.transport or self.offline:
            return  # an old connection's news, or already known
        self.offline = True
        await runner.execute(runner.core.disconnected(sideband=self._sideband))

    async def recover(self, exc: TransportClosed) -> bool:
        """After the reader saw ``exc``: a new connection, or False to end the session."""
        if not self.recoverable(exc) or self._opener is None or self._settings is None:
            return False
        runner = self._runner
        old = runner.transport
        await self.lost(old)
        with anyio.CancelScope(shield=True), anyio.move_on_after(1), contextlib.suppress(Exception):
            await old.close()
        settings = self._settings
        cause, started = exc.reason, time.monotonic()
        planned, self._handing_over = self._handing_over, False
        if planned:
            cause = "handing over before the session's time cap"
        if planned or self._proved_healthy(started):
            self._streak = 0
        self._up_since = None
        while self._streak < settings.attempts:
            self._streak += 1
            attempt = self._streak
            delay = 0.0 if planned and attempt == 1 else settings.delay(attempt)
            runner.deliver(SessionReconnecting(attempt, round(delay, 3), cause))
            await anyio.sleep(delay)
            try:
                runner.transport = await self._opener()
            except ConnectError as error:
                cause = str(error)
                if "HTTP 401" in cause or "HTTP 403" in cause:
                    self.gave_up = (
                        f"the connection dropped and the server refused a new one ({cause})"
                    )
                    return False  # a refused key will not be accepted next time either
                continue
            except Exception as error:
                cause = f"{type(error).__name__}: {error}"
                continue
            runner.spawn(self._resume, attempt, started)
            return True
        self.gave_up = (
            f"the connection could not be kept: {self._streak} connections in a row failed "
            f"or dropped within {settings.healthy_after:g} s ({cause})"
        )
        return False

    def _proved_healthy(self, dropped_at: float) -> bool:
        """Whether the connection that just dropped did real work: set up, then a response
        finished on it, or it stayed up ``healthy_after`` seconds (see ``Reconnect``)."""
        if self._up_since is None or self._settings is None:
            return False
        worked = self._runner.core.turns.responses_done > self._done_before
        return worked or dropped_at - self._up_since >= self._settings.healthy_after

    async def _resume(self, attempts: int, started: float) -> None:
        """The new connection: configured, given the conversation, then open to all."""
        runner = self._runner
        transport = runner.transport
        try:
            if not await runner.configure(runner.agent, force=True):
                return  # it dropped meanwhile: the reader is on it
        except SessionConfigError as exc:
            await runner.close_with(f"the new connection refused the configuration: {exc}")
            return
        if transport is not runner.transport:
            return
        gate = self.gate = anyio.Event()
        try:
            # No await from here to the snapshot: what was sent while offline is in it, and
            # what comes after waits at the gate.
            self.offline = False
            self.epoch += 1
            replay = runner.core.replay(sideband=self._sideband)
            for action in replay:
                await runner.send_now(action)
        finally:
            self.gate = None
            gate.set()
        self._up_since, self._done_before = time.monotonic(), runner.core.turns.responses_done
        runner.deliver(
            SessionReconnected(
                runner.core.session_id,
                len(replay),
                attempts,
                round(time.monotonic() - started, 3),
            )
        )
        await runner.execute(runner.core.resumed())
