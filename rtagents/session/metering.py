"""The session's usage meter, sans I/O: the server's events in; the running
``UsageRecord`` and a ``usage.updated`` event for the app out.

It reads every event the session delivers (the runner hands them over before the app sees
them), so it is one place for both APIs: on the Realtime API each ``response.done``'s
``usage`` and each input transcription's; on GPT-Live the session's billable seconds
(``session.usage.updated``, a running total: the latest is kept, never summed), its backend
responses' tokens (the ``response.completed``/``failed``/``incomplete`` inside
``response.event``) and its Decision API's (``decision.event``). The spans and metrics read
what it says (``usage.updated``), so they cannot differ from ``session.usage``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from .._latest import keep_latest
from ..errors import root_cause
from ..pricing import PriceBook
from ..usage import Tokens, UsageRecord, reported
from .events import SessionWarning, UsageUpdated

__all__ = ["PriceBook", "UsageMeter"]

_RESPONSE_ENDS = ("response.completed", "response.failed", "response.incomplete")


class UsageMeter:
    """One session's usage: ``observe`` each event; ``usage`` and ``cost`` at any time.

    Args:
        model: The session's model (the conversation's on Realtime, the Live model on
            GPT-Live): what its responses' and seconds' usage is counted under.
        prices: The app's prices (``connect(..., prices=...)``), checked already.
    """

    # Class attributes until set (performance.md, "Density").
    prices: PriceBook | None = None
    cost: Decimal | None = None
    _transcriber = "unknown"  # the session's transcription model, once configured
    _transcribers: dict[str, str] | None = None  # committed audio's item id -> that model
    _seconds = 0.0  # GPT-Live's running total so far
    _counted: dict[str, None] | None = None  # the latest responses counted (by id)

    def __init__(self, model: str, prices: PriceBook | None = None) -> None:
        self.model = model
        self.usage = UsageRecord()
        if prices is not None:
            self.prices, self.cost = prices, Decimal(0)

    def see(self, event: Any) -> list[Any] | None:
        """The session's hook (see ``observers``): ``event`` counted before the app sees
        it (a handler of ``response.done`` reads a ``session.usage`` that has it); what to
        deliver after it: its ``usage.updated``, and a warning of what has no price, once."""
        route = _ROUTES.get(event.type)
        if route is None:  # most events report no usage: nothing more to do
            return None
        try:
            updated = route(self, event)
        except Exception as exc:  # a report we cannot read costs its count, not the session
            return [SessionWarning(f"usage not counted: {root_cause(exc, None)}")]
        if updated is None:
            return None
        warnings: list[Any] = []
        if self.prices is not None:
            self.cost, news = self.prices.cost(self.usage)
            updated = replace(updated, cost=self.cost)
            warnings = [SessionWarning(f"no cost for this session's usage: {m}") for m in news]
        return [*warnings, updated]

    def _add(self, part: UsageRecord, **what: Any) -> UsageUpdated:
        self.usage = self.usage + part
        return UsageUpdated(part, self.usage, **what)

    # -- the Realtime API ----------------------------------------------------------------------

    def _configured(self, event: Any) -> None:
        # The model the server says it runs (a URL's own ?model=, an Azure deployment, a
        # call accepted on another model): what is counted, and priced, is that one's.
        running = getattr(event.session, "model", None)
        if isinstance(running, str) and running and not _snapshot(running, self.model):
            self.model = running
        audio = getattr(event.session, "audio", None)
        transcription = getattr(getattr(audio, "input", None), "transcription", None)
        model = getattr(transcription, "model", None)
        if isinstance(model, str) and model:
            self._transcriber = model

    def _once(self, response_id: Any) -> bool:
        """Whether a response's end is told for the first time (one the server repeats is
        counted once, on either API)."""
        if not isinstance(response_id, str):
            return True
        if self._counted is None:
            self._counted = {}
        elif response_id in self._counted:
            return False
        keep_latest(self._counted, response_id, None, _COUNTED_KEPT)
        return True

    def _response_done(self, event: Any) -> UsageUpdated | None:
        response = event.response
        if not self._once(response.id):
            return None
        tokens = Tokens.from_realtime(response.usage)
        part = reported({self.model: tokens} if tokens else {}, responses=1)
        return self._add(part, source="response", response_id=response.id, model=self.model)

    def _committed(self, event: Any) -> None:
        """User audio committed: it is transcribed by the model configured now, though its
        report may come after a switch to another (the API transcribes asynchronously)."""
        item_id = getattr(event, "item_id", None)
        if not isinstance(item_id, str):
            return
        if self._transcribers is None:
            self._transcribers = {}
        keep_latest(self._transcribers, item_id, self._transcriber, _TRANSCRIBERS_KEPT)

    def _transcribed(self, event: Any) -> UsageUpdated | None:
        usage, model = event.usage, self._transcriber
        if self._transcribers is not None:  # (the model its audio was committed under)
            model = self._transcribers.pop(str(getattr(event, "item_id", "")), model)
        if getattr(usage, "type", None) == "duration":
            seconds = float(getattr(usage, "seconds", 0) or 0)
            if seconds <= 0:
                return None
            part = reported(seconds={model: seconds})
        else:
            tokens = Tokens.from_transcription(usage)
            if not tokens:
                return None
            part = reported(transcription={model: tokens})
        return self._add(part, source="transcription", model=model)

    # -- GPT-Live ------------------------------------------------------------------------------

    def _live_seconds(self, event: Any) -> UsageUpdated | None:
        # A running total, not an increment: only what it adds to the last one counts.
        seconds = float(getattr(event.usage, "seconds", 0) or 0)
        if seconds <= self._seconds:
            return None
        part = reported(seconds={self.model: seconds - self._seconds})
        self._seconds = seconds
        return self._add(part, source="session", model=self.model)

    def _backend(self, event: Any) -> UsageUpdated | None:
        inner = event.event
        # The inner type first: only a response's end reports usage, and most events are not.
        if type(inner) is not dict and not isinstance(inner, dict):
            return None
        if inner.get("type") not in _RESPONSE_ENDS:
            return None
        response = inner.get("response")
        if not isinstance(response, dict):
            return None
        rid = response.get("id") if isinstance(response.get("id"), str) else None
        if not self._once(rid):
            return None
        model = response.get("model")
        model = model if isinstance(model, str) else "unknown"
        tokens = Tokens.from_responses(response.get("usage"))
        part = reported({model: tokens} if tokens else {}, responses=1)
        return self._add(part, source="backend", response_id=rid, model=model)

    def _decided(self, event: Any) -> UsageUpdated | None:
        decision = getattr(event.event, "decision", None)
        if decision is None:  # an event of a kind this version does not know
            return None
        tokens = Tokens.from_responses(decision.usage)
        if not tokens:
            return None
        model = decision.model
        return self._add(reported({model: tokens}), source="decision", model=model)


def _snapshot(running: str, asked: str) -> bool:
    """Whether ``running`` is a dated snapshot of ``asked`` (``gpt-realtime-2025-08-28``
    for ``gpt-realtime``): the model asked for, by the name the app prices it under."""
    return running.startswith(asked) and _DATED.fullmatch(running, len(asked)) is not None


_DATED = re.compile(r"-\d{4}-\d{2}-\d{2}")
_TRANSCRIBERS_KEPT = 64  # the latest committed items whose transcription may come late
_COUNTED_KEPT = 64  # the latest responses counted: a repeat comes soon after, if at all


_ROUTES: dict[str, Callable[[UsageMeter, Any], UsageUpdated | None]] = {
    "session.created": UsageMeter._configured,
    "session.started": UsageMeter._configured,
    "session.updated": UsageMeter._configured,
    "response.done": UsageMeter._response_done,
    "input_audio_buffer.committed": UsageMeter._committed,
    "conversation.item.input_audio_transcription.completed": UsageMeter._transcribed,
    "session.usage.updated": UsageMeter._live_seconds,
    "response.event": UsageMeter._backend,
    "decision.event": UsageMeter._decided,
}
"""Every event type that reports usage (or, on Realtime, names the transcription model)."""
