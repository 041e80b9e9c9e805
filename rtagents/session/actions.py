"""What the session core asks its runner to do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from .. import protocol as p
from .._event import FrameworkEvent


# Send, Emit and StartCall are made on the hot path: slotted, and not frozen (a frozen
# dataclass sets each field through object.__setattr__, twice the cost). Treat as immutable.
@dataclass(slots=True)
class Send:
    """Send this client event (a model, or a frame already encoded: the audio fast path)."""

    event: p.WireModel | str


@dataclass(slots=True)
class StartCall:
    """Run a function tool (or local MCP tool) call; report with ``call_finished``."""

    call_id: str
    name: str
    arguments: str
    response_id: str | None
    item_id: str | None
    duplicate: bool = False
    """The server reused a ``call_id`` an earlier call had: answer it, never run it."""

    @property
    def work_id(self) -> str:
        """The key of this call in the core and the runner (a duplicate gets its own)."""
        return f"{self.call_id}#{self.response_id}" if self.duplicate else self.call_id


@dataclass(frozen=True)
class StartApproval:
    """Decide a hosted MCP approval request; report with ``approval_decided``."""

    request: p.McpApprovalRequest
    response_id: str | None


@dataclass(frozen=True)
class CancelCall:
    """Cancel a running call; it still reports ``call_finished`` with its output."""

    call_id: str
    reason: str


@dataclass(frozen=True)
class ClearPlayback:
    """Tell the app's player to stop now and drop what is queued (a barge-in)."""


@dataclass(slots=True)
class Emit:
    """Give the app an event: a server event (``size`` is its frame's length, for the
    buffer's byte budget) or a framework event."""

    event: p.WireModel | FrameworkEvent
    size: int = 0


@dataclass(frozen=True)
class Resolve:
    """The reply to a request the app is waiting on (``None``: the session ended first)."""

    event_id: str
    reply: p.WireModel | None


Action = Union[Send, StartCall, StartApproval, CancelCall, ClearPlayback, Emit, Resolve]


@dataclass(frozen=True)
class ToolTraits:
    """What the core needs to know of a tool."""

    trigger_response: bool = True
    cancel_on_interrupt: bool = False
