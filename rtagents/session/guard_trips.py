"""What a guardrail's trip does (see ``guards``): on the Realtime API, ``response.cancel``
for the response it stops, the assistant's audio cut where the player is, the calls of a
stopped turn's answer cancelled; on GPT-Live, the player stopped and the delegated work of
the stopped turn's answer cancelled. Then the app is told, and the model."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol

from .. import protocol as p
from .._either import answer_within, is_async
from ..approvals.events import GuardrailTripped
from ..approvals.guarding import Check, GuardCore, Verdict
from ..approvals.guardrails import Guardrail, Guardrails, GuardrailTrip
from ..approvals.trip_message import message_for
from .actions import Action, Emit, Send, StopPlayback
from .events import SessionWarning

if TYPE_CHECKING:
    from ..agent import Agent
    from .adapter import WireAdapter
    from .dispatch import Dispatcher
    from .tasks import TaskFn

STOPPED = "a guardrail stopped the user's message"  # why its answer's calls were cancelled
# GPT-Live's transcripts have no items: a stream for each turn of the model's and the user's
# (``Transcript.model_turn``, ``user_turn``).
LIVE_OUT, LIVE_IN = "live:assistant:", "live:user:"
MARK, ASKED_BY_A_TRIP = "rtagents", "guardrail"
"""The metadata of the response a trip asks for (``Guardrails.respond``): the server says it
again in ``response.created``, so that it is never held as the answer to the stopped turn."""


def live_key(role: str, turn: str) -> str:
    """The stream key of a GPT-Live turn of ``role`` (``user`` or ``assistant``)."""
    return (LIVE_IN if role == "user" else LIVE_OUT) + turn


def live_turn(key: str) -> str | None:
    """The GPT-Live user turn a stream key is of (``None``: the key is not one)."""
    return key[len(LIVE_IN) :] if key.startswith(LIVE_IN) else None


class GuardedRunner(Protocol):
    """What the guardrails use of the session's runner."""

    agent: Agent
    core: WireAdapter
    dispatcher: Dispatcher

    def spawn(self, fn: TaskFn, *args: Any) -> None: ...

    def deliver(self, event: Any, size: int = 0) -> None: ...

    async def execute(self, actions: list[Action]) -> bool: ...


class Trips:
    """``SessionGuards``' trips (it has what these read)."""

    _runner: GuardedRunner
    _core: GuardCore | None

    async def _tripped(
        self, guardrail: Guardrail, check: Check, verdict: Verdict, guardrails: Guardrails
    ) -> None:
        core, runner = self._core, self._runner
        assert core is not None
        live = runner.core.api == "live"
        item_id = None if live else check.key
        decided_by = verdict.decided_by
        if not core.trip(check.key):  # the item was stopped already: recorded only
            if live:
                core.rearm(check.key, guardrail)  # (it reads on from the cut too)
            event = GuardrailTripped(
                guardrail.name, check.kind, verdict.reason, decided_by, item_id, acted=False
            )
            runner.deliver(event)  # the runner's: through the observers too
            return
        cancelled, calls = None, list[Action]()
        if live:
            # GPT-Live: no response.cancel, no truncate. The stream goes on (what the trip's
            # check did not read is checked afresh); the player stops while the turn is the
            # latest of its side, and an input trip stops the work answering its turn.
            core.rearm(check.key, guardrail)
            live_core: Any = runner.core  # (LiveCore)
            turn = live_turn(check.key)
            actions: list[Action] = []
            said = live_core.transcript
            if turn is not None:
                latest = live_key("user", said.user_turn)
            else:
                latest = live_key("assistant", said.model_turn)
            if check.key == latest:  # (a late trip leaves a later turn's speech playing)
                actions.append(StopPlayback(None, None, heard_only=True))
            if turn is not None:
                calls = self._stop_answers(live_core.stop_turn(turn, STOPPED))
        else:
            cancelled, actions, calls = self._stopping(core, check)
        event = GuardrailTripped(
            guardrail.name, check.kind, verdict.reason, decided_by, item_id, cancelled=cancelled
        )
        actions.append(Emit(event))
        actions += calls  # the app hears of the trip before it hears of what it cost
        await runner.execute(actions)
        # What the model is told comes last, in a task of its own: the trip has acted,
        # whatever the app's message hook or template does (``message_for`` falls back to
        # the default line), however long a hook takes (an async one is awaited, within the
        # guardrails' timeout), and the stream's next check is not held up by it.
        trip = GuardrailTrip(
            guardrail.name,
            check.kind,
            verdict.reason,
            decided_by,
            item_id,
            check.text_for(guardrail),
        )
        runner.spawn(self._told, guardrails, trip, live)

    async def _told(self, guardrails: Guardrails, trip: GuardrailTrip, live: bool) -> None:
        runner, shape = self._runner, guardrails.message
        if callable(shape) and is_async(shape):
            # Detached: a hook that shields its wording answers past the timeout, for nothing
            # (the default line is told at the timeout); its own CancelledError is a failure.
            outcome = await answer_within(shape(trip), guardrails.timeout)
            answered: Any = outcome.error if outcome.error is not None else outcome.value
            if outcome.late:
                answered = TimeoutError(f"it did not answer in {guardrails.timeout:g} s")
            text, problem = message_for(guardrails, trip, answered)
        else:
            text, problem = message_for(guardrails, trip)
        actions: list[Action] = []
        if problem is not None:
            actions.append(Emit(SessionWarning(problem, {"guardrail": trip.guardrail})))
        if text:
            actions += self._tell(text, guardrails, live)
        if guardrails.respond and not live:  # marked: never taken for the stopped turn's
            asked = p.ResponseCreateParams(metadata={MARK: ASKED_BY_A_TRIP})
            actions += runner.core.request_response(asked)
        await runner.execute(actions)

    def _stopping(
        self, core: GuardCore, check: Check
    ) -> tuple[str | None, list[Action], list[Action]]:
        """What a trip stops on the Realtime API: the response to cancel (and its send), the
        audio to cut, and for an input trip the calls of its turn's answer. Decided before
        anything awaits: a response or call that arrives meanwhile finds its turn stopped."""
        playing = getattr(self._runner.core, "playback", None)
        audio_item: str | None = playing.item_id if playing is not None else None
        calls: list[Action] = []
        if check.kind == "output":
            cancelled = core.owner(check.key)
            heard = audio_item == check.key or (
                cancelled is not None
                and audio_item is not None
                and core.owner(audio_item) == cancelled
            )
            if cancelled is not None and playing is not None and playing.is_outside(cancelled):
                heard, audio_item = True, None  # out of band: no item to cut, the player stops
        else:
            orchestrator = self._runner.core.orchestrator
            asked = orchestrator.waiting and orchestrator.active is None  # a follow-up
            stop = core.input_stops(check.key, asked=asked)
            cancelled = stop.cancel if stop is not None else None
            # Its answer's items are kept past their response's end: a late trip still
            # cuts the audio the player has yet to play.
            heard = stop is not None and audio_item in stop.items
            calls = self._stop_answers(stop.answers if stop is not None else ())
        actions: list[Action] = [self._cancel(cancelled)] if cancelled is not None else []
        if heard:
            actions.append(StopPlayback(audio_item, None, heard_only=audio_item is None))
        return cancelled, actions, calls

    def _stop_answers(self, answers: Iterable[str]) -> list[Action]:
        """The calls of the responses answering a stopped turn: cancelled, never answered
        by another response; and the background work they started."""
        calls: list[Action] = []
        orchestrator, background = (
            self._runner.core.orchestrator,
            self._runner.dispatcher.background,
        )
        for response_id in answers:
            calls += orchestrator.block(response_id, STOPPED)
            calls += background.stop(response_id, STOPPED)
        return calls

    def _cancel(self, response_id: str) -> Send:
        cancel = p.ResponseCancel(event_id=self._runner.core.next_event_id())
        cancel.response_id = response_id
        return Send(cancel)

    def _tell(self, text: str, guardrails: Guardrails, live: bool) -> list[Action]:
        """The model is told why: a message item (Realtime), silent context (GPT-Live)."""
        core = self._runner.core
        if live:
            return core.thinking(text, None)
        item_id = "msg_" + secrets.token_hex(12)
        core.own_message(item_id)
        item: p.SystemMessage | p.UserMessage
        if guardrails.role == "user":
            item = p.UserMessage(id=item_id, content=[p.UserContent(type="input_text", text=text)])
        else:
            item = p.SystemMessage(
                id=item_id, content=[p.SystemContent(type="input_text", text=text)]
            )
        event_id = core.next_event_id()
        return [Send(p.ConversationItemCreate(event_id=event_id, item=item))]
