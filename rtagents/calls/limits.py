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
from ..protocol.live import fit_note
from .control import CallRecord
from .rest import CallsAPIError

log = logging.getLogger("rtagents.calls")

TIME_LIMIT = "time limit"
"""The reason an ended call's record gives when the server hung it up at its limit."""

HANGUP_GRACE = 10.0
"""Seconds the session may take to end after the hang-up before it is closed here."""

Step = Literal["notice", "hang up"]
_SESSION_POLL_S = 0.05


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
        if self.notice is not None and fit_note(self.notice) is not None:
            raise ValueError(
                "limit_notice is past what one GPT-Live commentary append holds (about 1,400 "
                "characters of English, 240 of CJK): a notice is said in a few seconds"
            )
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
        steps = self.limit.steps(time.time() - self.answered_at)
        hang_up_at = began + steps[-1][0]
        for delay, step in steps:
            await anyio.sleep_until(began + delay)
            if step == "notice":
                with anyio.move_on_after(hang_up_at - anyio.current_time()) as late:
                    await self._notice()
                if late.cancelled_caught:
                    log.info("call %s: the time-limit notice was not said", self.record.call_id)
            else:
                await self._hang_up()

    async def _notice(self) -> None:
        """Say the notice; a session not up yet (a busy machine, a slow accept) is waited
        for, until the hang-up is due (``run`` bounds it)."""
        record, notice = self.record, self.limit.notice
        if notice is None:
            return
        while record.session is None:  # noqa: ASYNC110 (the record has no event for it)
            await anyio.sleep(_SESSION_POLL_S)
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
        except CallsAPIError as exc:
            if exc.status != 404:  # 404: over already (the caller hung up as the limit came)
                self._failed(exc)
        except Exception as exc:
            self._failed(exc)
        else:  # the API ends the call's session; should it not, it is closed here
            await anyio.sleep(HANGUP_GRACE)
        if record.session is not None:
            await record.session.close()

    def _failed(self, exc: Exception) -> None:
        log.warning(
            "call %s: hanging up at its limit failed: %s", self.record.call_id, root_cause(exc)
        )
        self.failed = exc


async def within_limit(
    limit: CallLimit,
    record: CallRecord,
    kind: Any,
    session: Awaitable[str | None],
    answered_at: float,
) -> str | None:
    """The call's ``session`` (its run, until it ends: why) with ``limit``'s clock beside
    it, which warns and then hangs up (through the call's handle, or ``kind.hang_up``)."""

    async def hang_up() -> None:
        await (record.handle.hangup() if record.handle is not None else kind.hang_up())

    clock = LimitClock(limit, record, hang_up, answered_at)
    reason: str | None = None
    raised: Exception | None = None
    async with anyio.create_task_group() as tg:
        tg.start_soon(clock.run)
        try:
            reason = await session
        except Exception as exc:  # raised as it was, not in a group
            raised = exc
        tg.cancel_scope.cancel()
    if clock.failed is not None:
        raise clock.failed
    if clock.reached:  # hung up here: what the session said as it ended is moot
        return TIME_LIMIT
    if raised is not None:
        raise raised
    return reason
