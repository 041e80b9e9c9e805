"""Call time limits: how long a call may last, and the notice the caller hears before it
ends. One rule for every kind of call: ``CallLimit.steps`` says what is due when (plain
arithmetic, tested as such), and ``LimitClock`` carries it out beside a call: the notice
through the call's session, the hang-up through the call's own handle (the REST API's
``hangup``, as ``end_call`` does; the end of a Twilio stream)."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

import anyio

from ..errors import root_cause
from .control import CallRecord

log = logging.getLogger("rtagents.calls")

TIME_LIMIT = "time limit"
"""The reason an ended call's record gives when the server hung it up at its limit."""

HANGUP_GRACE = 10.0
"""Seconds the session may take to end after the hang-up before it is closed here."""

Step = Literal["notice", "hang up"]


@dataclass(frozen=True)
class CallLimit:
    """``seconds`` from the answer, the call is hung up; ``warn_before_s`` earlier, the
    agent says ``notice`` (none when it is ``None``)."""

    seconds: float
    warn_before_s: float
    notice: str | None

    def __post_init__(self) -> None:
        if not (isinstance(self.seconds, (int, float)) and math.isfinite(self.seconds)):
            raise ValueError(f"max_call_seconds must be a number of seconds, not {self.seconds!r}")
        if self.seconds <= 0:
            raise ValueError(f"max_call_seconds must be more than 0, not {self.seconds!r}")
        if not (math.isfinite(self.warn_before_s) and self.warn_before_s >= 0):
            raise ValueError(f"warn_before_s must be 0 or more, not {self.warn_before_s!r}")
        if self.notice is not None and self.warn_before_s >= self.seconds:
            raise ValueError(
                f"warn_before_s ({self.warn_before_s:g}) must be less than max_call_seconds "
                f"({self.seconds:g}): the notice would come before the call is answered"
            )

    def steps(self, elapsed: float) -> list[tuple[float, Step]]:
        """What is still due for a call answered ``elapsed`` seconds ago, each with its
        delay from now (0 when it is late: a call taken over from a replica that died)."""
        due: list[tuple[float, Step]] = []
        if self.notice is not None and self.seconds - self.warn_before_s > elapsed:
            due.append((self.seconds - self.warn_before_s - elapsed, "notice"))
        due.append((max(0.0, self.seconds - elapsed), "hang up"))
        return due


def say_instructions(notice: str) -> str:
    """The response instructions that make the model say ``notice`` (Realtime API)."""
    return f"Say this to the caller now, in these exact words, and nothing else: {notice}"


async def speak(session: Any, text: str) -> None:
    """Have the agent say ``text`` on the call. On the Realtime API, a response with
    instructions to say it: it is asked for like the app's own ``create_response``, so the
    session places it once no response is active (one ``response.create`` at a time); on
    GPT-Live, commentary, which the model says."""
    if session.api == "live":
        await session.commentary(text)
    else:
        await session.create_response(instructions=say_instructions(text))


class LimitClock:
    """Runs beside one call (in its task group) until cancelled: the notice, then the
    hang-up. ``reached`` once it hung up; ``failed`` holds a hang-up that failed (the call
    fails then, and the lifecycle hangs it up again)."""

    def __init__(
        self,
        limit: CallLimit,
        record: CallRecord,
        hang_up: Callable[[], Awaitable[None]],
        answered_at: float,
    ) -> None:
        self.limit = limit
        self.record = record
        self.hang_up = hang_up
        self.answered_at = answered_at  # wall-clock time: it may come from another replica
        self.reached = False
        self.failed: Exception | None = None

    async def run(self) -> None:
        began = anyio.current_time()
        elapsed = time.time() - self.answered_at
        for delay, step in self.limit.steps(elapsed):
            await anyio.sleep_until(began + delay)
            if step == "notice":
                await self._notice()
            else:
                await self._hang_up()

    async def _notice(self) -> None:
        record, notice = self.record, self.limit.notice
        if record.session is None or notice is None:
            log.info("call %s: no session yet to say the time-limit notice", record.call_id)
            return
        try:
            await speak(record.session, notice)
        except Exception as exc:  # the notice is a courtesy; the hang-up still comes
            log.warning(
                "call %s: the time-limit notice failed: %s", record.call_id, root_cause(exc)
            )

    async def _hang_up(self) -> None:
        record = self.record
        log.info(
            "call %s reached its limit of %g s: hanging up", record.call_id, self.limit.seconds
        )
        self.reached = True
        try:
            await self.hang_up()
        except Exception as exc:
            log.warning(
                "call %s: hanging up at its limit failed: %s", record.call_id, root_cause(exc)
            )
            self.failed = exc
        else:  # the API ends the call's session; should it not, it is closed here
            await anyio.sleep(HANGUP_GRACE)
        if record.session is not None:
            await record.session.close()
