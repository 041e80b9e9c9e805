"""What the session's core asks its runner to do, and what its orchestrator decides.

Two vocabularies, in one module because the second passes through the first:

- Decisions of the orchestrator (``StartCall``, ``StartApproval``, ``CancelCall``,
  ``SendOutput``, ``SendAnswer``, ``SendNote``, ``AskResponse``, ``RequestFailed``,
  ``SayAside``, ``CancelResponse``, ``StartTimer``, ``Emit``): neutral, no wire event in them. A wire adapter
  turns the ones that speak to the server into client events (``Send``) and passes the
  others on.
- Actions for the runner: ``Send``, ``Emit``, ``StartCall``, ``StartApproval``,
  ``CancelCall``, ``StopPlayback``, ``Resolve``, ``StartDelegation``, ``EndSession``,
  ``StartTimer``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Union, cast

from .. import protocol as p
from .._event import FrameworkEvent


# Send, Emit and StartCall are made on the hot path: slotted, and not frozen (a frozen
# dataclass sets each field through object.__setattr__, twice the cost). Treat as immutable.
@dataclass(slots=True)
class Send:
    """Send this client event: a model, a frame already encoded (the audio path), or one
    encoded with what the session keeps of it (``Encoded``: the tool round trip's)."""

    event: p.WireModel | str | Encoded


@dataclass(slots=True)
class Encoded:
    """A client event's frame, built directly (``text``), and what the session keeps of it:
    the frames on the path from a call's result to the server (its output, the response
    that answers its batch), where a model and its encoding cost about 5 us each and the
    text under 1 (``benchmarks/session.py``). ``call_id``, ``output`` and ``item_id`` are
    an output's (``item_id``: its item's own id, on the Realtime API)."""

    text: str
    type: str
    event_id: str
    call_id: str | None = None
    output: str | None = None
    item_id: str | None = None


def encoding(encode: Callable[[p.WireModel], str]) -> Callable[[p.WireModel | Encoded], str]:
    """An API's client event encoder (``WireAdapter.encode``), which also takes an
    ``Encoded`` event, as the frame it is."""

    def encoded(event: p.WireModel | Encoded) -> str:
        return event.text if type(event) is Encoded else encode(cast(p.WireModel, event))

    return encoded


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
    cut_off: bool = False
    """A drop cut its arguments off (GPT-Live, whose server waits for its output after the
    re-attach): answer it as ``disconnected``, never run it."""

    @property
    def work_id(self) -> str:
        """The key of this call in the core and the runner (a duplicate gets its own)."""
        return f"{self.call_id}#{self.response_id}" if self.duplicate else self.call_id


REUSED = "the server reused an earlier request's id: it cannot be told apart"
"""Why a request whose id an earlier one had is denied (an answer to that id is ambiguous)."""
LOST = "the connection dropped before this request reached the session: denied unseen"
"""Why a request a drop kept from the session is denied (the server named it as owed)."""


@dataclass(frozen=True)
class StartApproval:
    """Decide a hosted MCP approval request; report with ``approval_decided``."""

    request: p.McpApprovalRequest
    response_id: str | None
    denied: str | None = None
    """Deny it without asking the policy, for this reason: the server reused an id an earlier
    request (or call) had, or a drop kept the request itself from the session."""


@dataclass(frozen=True)
class CancelCall:
    """Cancel a running call; it still reports ``call_finished`` with its output."""

    call_id: str
    reason: str


@dataclass(frozen=True)
class StopPlayback:
    """A barge-in reached the app's player: measure what it played of ``item_id`` (unless
    ``played_ms`` is known already), give the figure back (``playback_stopped``), then
    clear the player. The core never calls the player itself."""

    item_id: str | None
    played_ms: int | None
    heard_only: bool
    """Cut only what was heard: no cut when nothing played (a barge-in by voice)."""
    earlier: tuple[str, ...] = ()
    """Items before ``item_id`` whose audio may still be playing, the latest first: audio
    comes faster than it plays, so the next item's may be queued behind the one heard. If
    nothing of ``item_id`` was played, the first of these the player played is the cut one."""


@dataclass(slots=True)
class Emit:
    """Give the app an event: a server event (``size`` is its frame's length, for the
    buffer's byte budget) or a framework event."""

    event: p.WireModel | FrameworkEvent
    size: int = 0
    frame: str | bytes | None = None
    """The frame ``event`` was read from (a server event's): what the stream keeps for an
    app that has not read yet, instead of the typed event (see ``stream.EventStream``)."""


@dataclass(frozen=True)
class Resolve:
    """The reply to a request the app is waiting on (``None``: the session ended first)."""

    event_id: str
    reply: p.WireModel | None


@dataclass(frozen=True)
class StartDelegation:
    """The model handed work to the app (GPT-Live's client delegation): run the agent's
    ``on_delegation`` hook, and answer with its commentary or thinking."""

    delegation_id: str
    transcript: tuple[tuple[str, str], ...]
    """``(role, text)`` of what was said since the last delegation, in order."""


@dataclass(frozen=True)
class EndSession:
    """The server ended the session (GPT-Live's ``session.closed``): close with ``reason``."""

    reason: str
    error: bool


@dataclass(frozen=True)
class StartTimer:
    """The core never sleeps: after ``delay_s`` seconds, give ``key`` back to its
    ``timer_fired`` (a batch's filler, ``"filler:<response id>"``). Nothing cancels it: what
    it was for is checked again when it fires."""

    key: str
    delay_s: float


Action = Union[
    Send,
    StartCall,
    StartApproval,
    CancelCall,
    StopPlayback,
    Emit,
    Resolve,
    StartDelegation,
    EndSession,
    StartTimer,
]


# -- the orchestrator's decisions for the wire ----------------------------------------------


@dataclass(slots=True)
class SendOutput:
    """Give the model a call's output: ``ref`` names the send (an error may name it back)."""

    ref: str
    call_id: str
    item_id: str
    output: str


@dataclass(frozen=True)
class SendAnswer:
    """Answer a hosted approval request."""

    ref: str
    request_id: str
    approve: bool
    reason: str | None


@dataclass(slots=True)
class AskResponse:
    """Ask the model for a turn: the app's own request (``params``, as it gave them) or the
    answer to a batch's outputs (``call_ids``)."""

    ref: str
    params: object = None
    call_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class SendNote:
    """Add a message the model reads (a background call's result, its own batch): ``ref``
    names the send; ``item_id`` is the same on every send (see ``journal_items.note_item_id``)."""

    ref: str
    item_id: str
    role: str
    text: str


@dataclass(frozen=True)
class SayAside:
    """Speak a short aside while tools run, outside the conversation (an out-of-band
    response): a call's progress update or a batch's filler. Never a batch's answer."""

    ref: str
    kind: Literal["progress", "filler"]
    instructions: str
    """What the model is told to say."""
    call_ids: tuple[str, ...]
    """Progress: its call; a filler: the batch's calls still running."""
    text: str | None = None
    """Progress: the update as the tool gave it."""
    response_id: str | None = None
    """A filler: the response whose batch it fills."""


@dataclass(frozen=True)
class CancelResponse:
    """Cancel the response ``response_id`` we asked for (``ref`` names the send): an aside
    whose call finished while it was asked for or spoken (the answer says more), or the
    answer to a request the user interrupted before it began (it would talk over them)."""

    ref: str
    response_id: str


@dataclass(frozen=True)
class RequestFailed:
    """A request for a response was refused, not for a race that can be waited out."""

    message: str
    code: str | None


Decision = Union[
    StartCall,
    StartApproval,
    CancelCall,
    SendOutput,
    SendAnswer,
    AskResponse,
    RequestFailed,
    Emit,
    SendNote,
    SayAside,
    CancelResponse,
    StartTimer,
]


@dataclass(frozen=True)
class ToolTraits:
    """What the orchestrator needs to know of a tool."""

    trigger_response: bool = True
    cancel_on_interrupt: bool = False


TraitsOf = Callable[[str, "str | None"], "ToolTraits | None"]
"""A tool's traits by its name and the id of the response whose call it is (a handoff may
have changed the tools since that response was made); ``None``: no such tool."""
