"""Approval events in the session's stream."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .._event import FrameworkEvent
from .request import ApprovalRequest, DecidedBy


@dataclass(frozen=True)
class ApprovalRequested(FrameworkEvent):
    """A call is waiting for approval. A UI shows ``request`` and answers with
    ``session.approve(request.id)`` or ``session.deny(request.id, reason=...)``."""

    type: Literal["approval.requested"] = field(default="approval.requested", init=False)
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
