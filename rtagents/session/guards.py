"""The session's part of the guardrails (``Agent.guardrails``): it watches the events the
session delivers, runs the checks ``approvals.guarding`` says are due as tasks of their own,
and carries out a trip. The decisions (what is due, what is a trip, which response it stops,
what the model is told) are the sans-I/O ``GuardCore``'s and ``judge``'s.

A trip on the Realtime API: ``response.cancel`` for the response still active, the
assistant's audio cut at what the player played (the barge-in's path: ``StopPlayback``), a
message item telling the model why, and a ``guardrail.tripped`` event. GPT-Live has no
response to cancel and no item to cut: the app's player is stopped, the model is told with
``session.thinking.append``, and the event says nothing was cancelled.

Nothing waits on a check: the conversation, its tool calls and other checks go on. A sync
guardrail runs in a worker thread of the session's guardrails (busy tools cannot starve it);
one that times out is abandoned there, and counts as a trip.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast

import anyio

from .. import protocol as p
from .._either import answer_within, call_either
from ..approvals.guarding import Check, GuardCore, Verdict, judge, raised, timed_out
from ..approvals.guardrails import Guardrail, GuardrailKind, Guardrails
from .guard_trips import (
    ASKED_BY_A_TRIP,
    MARK,
    STOPPED,
    GuardedRunner,
    Trips,
    live_key,
)
from .realtime import RealtimeCore

if TYPE_CHECKING:
    pass


_Route = Callable[["SessionGuards", GuardCore, Any], "Check | None"]


def guarding(agent: object, guards: SessionGuards | None) -> bool:
    """Whether the session's guards see its events: while its agent has guardrails, and
    once an agent of it had some (their checks may still be running after a handoff to an
    agent with none, and a trip acts on what the session is now)."""
    return bool(getattr(agent, "guardrails", None)) or (guards is not None and guards.tracking)


class SessionGuards(Trips):
    """The guardrails of one session, across its agents (each agent's own apply)."""

    def __init__(self, runner: GuardedRunner) -> None:
        self._runner = runner
        self._core: GuardCore | None = None
        self._limiter: anyio.CapacityLimiter | None = None  # made for the first check
        self._trailing: dict[str, None] = {}  # the streams with a trailing check's timer

    @property
    def _guardrails(self) -> Guardrails | None:
        guardrails: Guardrails | None = getattr(self._runner.agent, "guardrails", None)
        return guardrails if guardrails else None

    @property
    def tracking(self) -> bool:
        return self._core is not None

    def see(self, event: Any) -> None:
        """The session's hook (see ``observers``): a look at each delivered event."""
        route = _ROUTES.get(event.type)
        if route is not None:
            self._observe(route, event)

    def _observe(self, route: _Route, event: Any) -> None:
        guardrails = self._guardrails
        core = self._core
        if core is None:
            if guardrails is None:
                return
            core = self._core = GuardCore(guardrails.every_chars, guardrails.every_ms)
            # Guarded from mid-session (a switch to a guarded agent): the user's latest
            # message is the turn an input trip stops, and the answer under way is its
            # answer, owning the stream it is saying, whose begin was not seen here.
            session = self._runner.core
            if isinstance(session, RealtimeCore) and session.latest_user_item is not None:
                core.user_item(session.latest_user_item)
            under_way = session.orchestrator.active
            if under_way and session.api != "live":  # (Live's speech: no response's)
                core.unseen = under_way
                core.response_started(under_way, in_conversation=True)
        if guardrails is not None:  # the agent now running may debounce otherwise
            core.every_chars, core.every_ms = guardrails.every_chars, guardrails.every_ms
        # An earlier agent's streams are checked to their end with its guardrails (each
        # check says whose), and its checks may trip yet: the records stay current. Those
        # with none of their kind are the new guardrails', read by time if no delta comes.
        for kind, key in core.use(guardrails):
            self._trail(core, kind, key)
        check = _to_run(core, route(self, core, event))
        if check is not None:
            self._runner.spawn(self._run, check)

    # -- the events ---------------------------------------------------------------------------

    def _on_transcript(self, core: GuardCore, event: Any) -> Check | None:
        now = _now()
        if event.item_id is None:
            # GPT-Live: no items, so a turn ends when the other side speaks; what was said
            # in it gets its last check then. Each turn is a stream of its own (a trip
            # stops that turn's answer: see ``guard_trips``).
            said = cast(Any, self._runner.core).transcript  # (LiveCore's)
            user, model = live_key("user", said.user_turn), live_key("assistant", said.model_turn)
            ours, theirs = (model, user) if event.role == "assistant" else (user, model)
            last = _to_run(core, core.ended("input" if theirs is user else "output", theirs, now))
            if last is not None:
                self._runner.spawn(self._run, last)
            kind: GuardrailKind = "output" if event.role == "assistant" else "input"
            return self._heard(core, kind, ours, event.delta, now)
        if event.role == "assistant":
            return self._heard(core, "output", event.item_id, event.delta, now)
        return None  # Realtime's user transcript is checked whole, when it completes

    def _heard(
        self, core: GuardCore, kind: GuardrailKind, key: str, delta: str, now: float
    ) -> Check | None:
        check = core.heard(kind, key, delta, now)
        if check is None:
            self._trail(core, kind, key)
        return check

    def _trail(self, core: GuardCore, kind: GuardrailKind, key: str) -> None:
        """Text no check has read waits for its check (a burst's tail, or what came while a
        check ran): it gets one ``every_ms`` after the last, by a timer (one a stream), as
        no later delta may come to trigger it."""
        delay = core.trail_in(key, _now())
        if delay is not None and key not in self._trailing:
            self._trailing[key] = None
            self._runner.spawn(self._trailed, kind, key, delay)

    async def _trailed(self, kind: GuardrailKind, key: str, delay_ms: float) -> None:
        try:
            await anyio.sleep(delay_ms / 1000 + 0.001)
        finally:
            self._trailing.pop(key, None)
        core = self._core
        if core is None:
            return
        check = _to_run(core, core.trail(kind, key, _now()))
        if check is not None:
            await self._run(check)
        else:  # a check a delta started since has moved the time it is due: wait again
            self._trail(core, kind, key)

    def _on_response_created(self, core: GuardCore, event: Any) -> None:
        response = event.response
        if response.id is None:
            return
        ours = (response.metadata or {}).get(MARK) == ASKED_BY_A_TRIP  # (answers the note)
        in_conversation = not response.out_of_band
        if core.response_started(
            response.id, in_conversation=in_conversation, asked_by_a_trip=ours
        ):
            # It answers a turn an input guardrail stopped before it began: its calls are
            # blocked now, before the frames that announce them are read.
            calls = self._runner.core.orchestrator.block(response.id, STOPPED)
            self._runner.spawn(self._runner.execute, [self._cancel(response.id), *calls])

    def _on_reconnecting(self, core: GuardCore, event: Any) -> None:
        session = self._runner.core  # (GPT-Live and a call's sideband: the same session again)
        if session.api == "realtime" and not session.sideband:
            core.dropped()

    def _on_response_done(self, core: GuardCore, event: Any) -> None:
        if event.response.id is not None:
            core.response_ended(event.response.id)

    def _on_output_item_added(self, core: GuardCore, event: Any) -> None:
        item = event.item
        if isinstance(item, p.AssistantMessage) and item.id and event.response_id:
            core.item_added(item.id, event.response_id)

    def _on_output_item_done(self, core: GuardCore, event: Any) -> Check | None:
        item = event.item
        if isinstance(item, p.AssistantMessage) and item.id:
            said = "".join(c.text or c.transcript or "" for c in item.content)
            return core.ended("output", item.id, _now(), said)
        return None

    def _on_item_added(self, core: GuardCore, event: Any) -> Check | None:
        item = event.item
        if not isinstance(item, p.UserMessage) or not item.id:
            return None
        if self._runner.core.owns_message(item.id):  # a note of ours, or given back
            return None
        core.user_item(item.id)
        typed = " ".join(c.text for c in item.content if c.type == "input_text" and c.text)
        return core.whole("input", item.id, typed) if typed else None

    def _on_user_transcript(self, core: GuardCore, event: Any) -> Check | None:
        return core.whole("input", event.item_id, event.transcript)

    def _on_transcription_failed(self, core: GuardCore, event: Any) -> Check | None:
        # No guardrail can read what the user said: only an explicit pass passes, so the
        # turn's input guardrails trip (the answer server VAD began is stopped).
        check = core.whole("input", event.item_id, "")
        return None if check is None else replace(check, unreadable=_UNREADABLE)

    # -- the checks ----------------------------------------------------------------------------

    async def _run(self, check: Check) -> None:
        """Every guardrail of ``check.kind`` on its text, at once; each trip acts as soon
        as it is known. Then the next check of its stream, if one is due."""
        guardrails: Guardrails = check.of  # (a check of none is never run: see _observe)
        core = self._core
        if core is None:
            return
        checks = guardrails.output if check.kind == "output" else guardrails.input
        # Gathered, not in a task group: cancelled as the session ends, anyio's group keeps
        # the cancellation in a frame its own traceback holds, a cycle through these checks'
        # frames to the session's guard parts (performance.md: a closed session is freed by
        # reference counting alone).
        done = await asyncio.gather(
            *(self._one(guardrail, check, guardrails) for guardrail in checks),
            return_exceptions=True,
        )
        failed: Exception | None = None
        for result in done:
            if isinstance(result, Exception):  # (a bug of ours acting on a verdict: told once
                failed = failed or result  # the others are done)
            elif isinstance(result, BaseException) and not isinstance(
                result, asyncio.CancelledError
            ):
                raise result  # (KeyboardInterrupt, SystemExit: never swallowed)
        # Whatever failed, the stream's next check is not held up by this one.
        following = core.checked(check, _now())
        if following is not None:
            self._runner.spawn(self._run, following)
        else:
            self._trail(core, check.kind, check.key)
        if failed is not None:
            raise failed

    async def _one(self, guardrail: Guardrail, check: Check, guardrails: Guardrails) -> None:
        deadline = anyio.current_time() + guardrails.timeout
        if check.unreadable is not None:  # nothing to read: fail closed
            verdict: Verdict | None = Verdict(False, check.unreadable, "error")
        else:
            try:
                verdict = await self._verdict(
                    guardrail, check.text_for(guardrail), guardrails.timeout
                )
            except Exception as exc:  # judging what it answered failed: that trips too
                verdict = raised(exc)
        # Past the deadline, whatever it answers never counts: a check that held the loop,
        # and then passed, trips.
        if verdict is None or anyio.current_time() >= deadline:
            verdict = timed_out(guardrails.timeout)
        if not verdict.passed:
            await self._tripped(guardrail, check, verdict, guardrails)

    async def _verdict(self, guardrail: Guardrail, text: str, within: float) -> Verdict | None:
        """The check's verdict, or ``None`` at its deadline. It runs in a task of its own,
        cancelled and left behind there: a check that will not stop (its slow call shielded
        from cancellation, as client libraries' cleanups are) cannot make its trip late."""
        answer = await answer_within(self._answer(guardrail, text), within)
        if answer.late:
            return None
        if answer.error is not None:  # fail closed: a guardrail that raises trips (its own
            return raised(answer.error)  # CancelledError too: silent, it would pass)
        return judge(answer.value)

    async def _answer(self, guardrail: Guardrail, text: str) -> Any:
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(8)
        return await call_either(guardrail.check, text, limiter=self._limiter)


_UNREADABLE = "the user's speech could not be transcribed, so it could not be checked"


def _now() -> float:
    return time.monotonic() * 1000


def _to_run(core: GuardCore, check: Check | None) -> Check | None:
    """``check``, if it has guardrails to run (``check.of``); one of a stream begun with none
    is passed, and the stream goes on (a check left running would hold it for good)."""
    while check is not None and check.of is None:
        check = core.checked(check, _now())
    return check


_ROUTES: dict[str, _Route] = {
    "transcript.delta": SessionGuards._on_transcript,
    "response.created": SessionGuards._on_response_created,
    "response.done": SessionGuards._on_response_done,
    "session.reconnecting": SessionGuards._on_reconnecting,
    "response.output_item.added": SessionGuards._on_output_item_added,
    "response.output_item.done": SessionGuards._on_output_item_done,
    **dict.fromkeys(p.ITEM_ADDED, SessionGuards._on_item_added),
    "conversation.item.input_audio_transcription.completed": SessionGuards._on_user_transcript,
    "conversation.item.input_audio_transcription.failed": SessionGuards._on_transcription_failed,
}
"""The events the guardrails follow; every other event costs one lookup."""
