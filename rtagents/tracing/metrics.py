"""OpenTelemetry metrics of sessions, through ``opentelemetry-api``: no-ops until the app
installs an SDK ``MeterProvider``, as the API's own instruments are.

Instruments (meter ``rtagents``):

- ``rtagents.sessions.active`` (up-down counter): sessions open now.
- ``rtagents.tool.duration`` (histogram, s), by ``tool`` and ``outcome`` (``ok``, or the
  failure's kind: ``error``, ``timeout``, ``cancelled``, ``denied``...); a name no tool has
  (the model made it up) is ``(unknown)``.
- ``rtagents.approvals.pending`` (up-down counter) and ``rtagents.approval.wait``
  (histogram, s), by ``kind`` and ``outcome`` (``approved``/``denied``).
- ``rtagents.reconnects`` (counter), by ``cause``: one of a fixed set (``_cause``).
- ``rtagents.events.dropped`` (counter): events the app read too slowly to keep.
- ``gen_ai.client.token.usage`` (histogram, {token}; the GenAI convention's): the tokens of
  each response and transcription, by ``gen_ai.token.type`` (``input``/``output``),
  ``gen_ai.operation.name``, ``gen_ai.request.model`` and ``rtagents.token.modality``.

One observer per session sees every event the session delivers (the same place tracing
does), so the figures cannot drift from what the app sees.
"""

from __future__ import annotations

import re
import time
from typing import Any

from opentelemetry import metrics

from .sdk import UNKNOWN_TOOL, guarded
from .usage import OPERATIONS

_meter = metrics.get_meter("rtagents")
SESSIONS = _meter.create_up_down_counter(
    "rtagents.sessions.active", unit="{session}", description="Sessions open now"
)
TOOL_DURATION = _meter.create_histogram(
    "rtagents.tool.duration", unit="s", description="Tool call duration, by tool and outcome"
)
APPROVALS_PENDING = _meter.create_up_down_counter(
    "rtagents.approvals.pending", unit="{request}", description="Approval requests waiting"
)
APPROVAL_WAIT = _meter.create_histogram(
    "rtagents.approval.wait", unit="s", description="Time from approval request to decision"
)
RECONNECTS = _meter.create_counter(
    "rtagents.reconnects", unit="{reconnect}", description="Reconnects started, by cause"
)
TOKEN_USAGE = _meter.create_histogram(
    "gen_ai.client.token.usage",
    unit="{token}",
    description="Tokens used per response (or transcription), by type and modality",
    explicit_bucket_boundaries_advisory=[4**n for n in range(14)],  # the convention's
)
DROPPED = _meter.create_counter(
    "rtagents.events.dropped",
    unit="{event}",
    description="Events dropped because the app read them too slowly",
)


class SessionMetrics:
    """The metrics of one session, fed every event it delivers (``observe``)."""

    def __init__(self, agent: str) -> None:
        self._agent = {"agent": agent}
        self._asked: dict[str, tuple[float, dict[str, str]]] = {}  # approval id -> start
        self._open = False
        # Without an SDK the instruments do nothing; the session then skips observing.
        provider = metrics.get_meter_provider()
        self.recording = not type(provider).__module__.startswith("opentelemetry.metrics")

    @classmethod
    def of(cls, agent: str) -> SessionMetrics:
        """The metrics of a new session: without an SDK, one shared object that records
        nothing (it keeps no session's state then), rather than one per session."""
        made = cls(agent)
        if made.recording:
            return made
        global _IDLE
        if _IDLE is None:
            _IDLE = made
        return _IDLE

    # What an SDK part raises (a view's or an exemplar filter's bug) costs the figure, never
    # the session: ``opened`` runs as it starts, ``dropped`` in the stream's ``deliver``, and
    # ``closed`` at its end (``observe`` is a guarded hook: see ``session.observers``).
    def opened(self) -> None:
        if not self._open:
            self._open = True
            guarded("the sessions' count", SESSIONS.add, 1, self._agent)

    def observe(self, event: Any) -> None:
        kind = event.type
        if kind[0] not in "tasu":  # tool.*, approval.*, session.*, usage.*: not the server's
            return
        if kind == "usage.updated":
            self._tokens(event)
        elif kind == "tool.call.completed":
            TOOL_DURATION.record(event.duration_s, {"tool": event.name, "outcome": "ok"})
        elif kind == "tool.call.failed":
            # The model may make up any name: each would be a series of its own.
            tool = UNKNOWN_TOOL if event.kind == "unknown_tool" else event.name
            TOOL_DURATION.record(event.duration_s, {"tool": tool, "outcome": event.kind})
        elif kind == "approval.requested":
            attributes = {"kind": event.request.kind}
            self._asked[event.request.id] = (time.monotonic(), attributes)
            APPROVALS_PENDING.add(1, attributes)
        elif kind == "approval.decided":
            asked = self._asked.pop(event.request.id, None)
            if asked is not None:
                started, attributes = asked
                APPROVALS_PENDING.add(-1, attributes)
                outcome = "approved" if event.approve else "denied"
                APPROVAL_WAIT.record(time.monotonic() - started, {**attributes, "outcome": outcome})
        elif kind == "session.reconnecting":
            RECONNECTS.add(1, {"cause": _cause(event.cause)})
        elif kind == "session.closed":
            self.closed()

    def _tokens(self, event: Any) -> None:
        """``gen_ai.client.token.usage``: one point per kind of token a report has, so that
        the sums by ``gen_ai.token.type`` are the input and output tokens, and
        ``rtagents.token.modality`` splits them (``text``, ``audio``, ``cached_audio``...)."""
        operation = OPERATIONS.get(event.source)
        if operation is None:  # GPT-Live's seconds are not tokens
            return
        usage = event.usage
        for model, tokens in [*usage.models.items(), *usage.transcription.items()]:
            base = {
                "gen_ai.operation.name": operation,
                "gen_ai.provider.name": "openai",
                "gen_ai.request.model": model,
            }
            for direction, modality, count in tokens.parts():
                attributes = {
                    **base,
                    "gen_ai.token.type": direction,
                    "rtagents.token.modality": modality,
                }
                TOKEN_USAGE.record(count, attributes)

    def dropped(self) -> None:
        """The event stream dropped an event the app read too slowly."""
        guarded("the dropped events' count", DROPPED.add, 1, self._agent)

    def closed(self) -> None:
        if self._open:
            self._open = False
            guarded("the sessions' count", SESSIONS.add, -1, self._agent)
        asked, self._asked = self._asked, {}
        for _, attributes in asked.values():  # never decided: no longer pending
            guarded("the pending approvals' count", APPROVALS_PENDING.add, -1, attributes)


_SERVER_CLOSED = re.compile(r"the server closed the connection \(code (\d{4})\b")
_CAUSES = (
    # How the session's causes begin (session/transport.py, reconnect.py, upstream.py): the
    # details after that (a URL, a server's reason, an errno) would make a label each.
    ("handing over", "handover"),
    ("the connection dropped", "dropped"),
    ("this client closed", "client_closed"),
    ("sending", "send_failed"),
    ("the server at ", "connect_failed"),  # ... refused the connection: HTTP 503
    ("cannot connect", "connect_failed"),
    ("not a websocket URL", "connect_failed"),
)


def _cause(cause: str) -> str:
    """A bounded label for a reconnect's cause: ``server_closed_<code>`` (a websocket close
    code has 4 digits), ``dropped``, ``client_closed``, ``handover``, ``send_failed``,
    ``connect_failed`` (an attempt that failed), or ``other``."""
    closed = _SERVER_CLOSED.match(cause)
    if closed is not None:
        return f"server_closed_{closed[1]}"
    return next((label for start, label in _CAUSES if cause.startswith(start)), "other")


_IDLE: SessionMetrics | None = None
