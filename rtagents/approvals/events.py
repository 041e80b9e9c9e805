"""Approval events in the session's stream."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .._event import FrameworkEvent
from .request import ApprovalRequest, DecidedBy


@dataclass(frozen=True)
class ApprovalRequested(FrameworkEvent):
    """A call needs approval; the policy (remembered decisions, rules, handler) decides it
    next. ``approval.awaiting`` follows if the policy leaves it to an outside answer."""

    type: Literal["approval.requested"] = field(default="approval.requested", init=False)
    request: ApprovalRequest


@dataclass(frozen=True)
class ApprovalAwaiting(FrameworkEvent):
    """The policy left ``request`` to an answer from outside: it has no handler, or its
    handler returned ``None``. Only now can ``session.approve(request.id)`` approve it; a UI,
    a voice confirmation or the command line answers here, never on ``approval.requested``
    (which comes before the rules and the handler have had their say)."""

    type: Literal["approval.awaiting"] = field(default="approval.awaiting", init=False)
    request: ApprovalRequest


@dataclass(frozen=True)
class ApprovalDecided(FrameworkEvent):
    """A request was decided; ``decided_by`` is ``rule``, ``handler``, ``user``, ``timeout``,
    ``error``, ``close``, ``cancelled`` or ``remembered``. ``approve`` is ``True`` only for
    an explicit, well-typed yes."""

    type: Literal["approval.decided"] = field(default="approval.decided", init=False)
    request: ApprovalRequest
    approve: bool
    reason: str | None
    decided_by: DecidedBy


@dataclass(frozen=True)
class GuardrailTripped(FrameworkEvent):
    """A guardrail tripped (``Agent.guardrails``). ``kind`` is ``input`` (the user's
    message ``item_id``) or ``output`` (the assistant's item ``item_id``; ``None`` on
    GPT-Live, which has no items); ``decided_by`` is ``guardrail`` (it answered ``Trip``),
    ``error`` (it raised or answered something else) or ``timeout``. ``acted`` is False
    for a later trip of an item another trip already stopped; ``cancelled`` names the
    response the trip cancelled, if one was still active."""

    type: Literal["guardrail.tripped"] = field(default="guardrail.tripped", init=False)
    guardrail: str
    kind: Literal["input", "output"]
    reason: str
    decided_by: Literal["guardrail", "error", "timeout"]
    item_id: str | None
    acted: bool = True
    cancelled: str | None = None
