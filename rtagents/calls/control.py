"""What a call is to the app: the incoming call a router decides on, the record of a call
this process handles, and the handle a tool uses to hang up or transfer the call it runs in.
One record and one handle for every kind of call (OpenAI SIP, browser, Twilio stream)."""

from __future__ import annotations

import contextvars
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, Union

from ..agent import Agent
from ..errors import RtagentsError
from ..tools import tool
from ..usage import UsageRecord
from .parties import CallParty

CallSource = Literal["sip", "browser", "twilio"]


HUNG_UP = "hung up"
"""Why a call ended that the app hung up (``CallHandle.hangup``, ``app.hangup``): its
record's reason, a SIP call's or a Twilio stream's."""
TRANSFERRED = "transferred"
"""Why a call ended that the app transferred (``CallHandle.refer``): its record's reason."""
HUNG_UP_RINGING = "hung up by the app before it was up"
"""Why a call ended (or was rejected) that ``app.hangup`` ended before it was up: while it
rang, or as it was answered, before its session began."""


class CallControlError(RtagentsError):
    """A control this kind of call does not have (a Twilio stream cannot be referred)."""


class SessionLost(RtagentsError):
    """A call's session ended with an error (a refused configuration on a new connection,
    reconnects given up), whatever kind of call it is: the call cannot go on, and fails."""


@dataclass(frozen=True)
class IncomingCall:
    """A call to route. Everything in it comes from the caller's side of the phone network
    (SIP headers, a Twilio stream's custom parameters): treat it as untrusted input.

    Attributes:
        call_id: OpenAI's call id, or Twilio's call SID for a media stream.
        sip_headers: The SIP headers OpenAI forwarded (``realtime.call.incoming``); the
            values of a header the INVITE repeats are joined with ", ", in their order.
        parameters: A Twilio stream's ``<Parameter>`` values (``start.customParameters``).
        source: ``"sip"`` (OpenAI SIP) or ``"twilio"`` (a Twilio media stream).

    ``caller`` and ``callee`` are the ``From`` and ``To`` headers read into a ``CallParty``:
    a router compares ``call.caller.number`` (``"+15550100"``), and ``call.caller.raw`` is
    the header as it came.
    """

    call_id: str
    sip_headers: Mapping[str, str] = field(default_factory=dict)
    parameters: Mapping[str, str] = field(default_factory=dict)
    source: CallSource = "sip"

    @property
    def caller(self) -> CallParty:
        """Who calls: the ``From`` SIP header, or a Twilio stream's ``From`` parameter."""
        return CallParty.parse(self._header("from", "f") or self.parameters.get("From", ""))

    @property
    def callee(self) -> CallParty:
        """Who was called: the ``To`` SIP header, or a Twilio stream's ``To`` parameter."""
        return CallParty.parse(self._header("to", "t") or self.parameters.get("To", ""))

    def _header(self, name: str, compact: str) -> str:
        # SIP header names are case-insensitive and have compact forms (RFC 3261 7.3.3):
        # "from", "FROM" and "f" are all From.
        for key, value in self.sip_headers.items():
            if key.strip().lower() in (name, compact):
                return value
        return ""


@dataclass(frozen=True)
class Reject:
    """The router's no: the call is rejected with a SIP ``status_code`` (603 Decline).
    A Twilio stream is ended instead (Twilio goes on with the next TwiML verb)."""

    status_code: int = 603
    reason: str = ""

    def __post_init__(self) -> None:
        # A final SIP refusal is 4xx to 6xx: said here, not by the API as the call is refused.
        code = self.status_code
        if isinstance(code, bool) or not isinstance(code, int) or not 400 <= code <= 699:
            raise ValueError(f"Reject status_code must be a SIP refusal (400 to 699), got {code!r}")


Route = Callable[[IncomingCall], Union[Agent, Reject, Awaitable[Union[Agent, Reject]]]]


def _cannot_refer(target_uri: str) -> Awaitable[None]:
    raise CallControlError(
        "a Twilio media stream cannot be transferred from here: update the call with "
        "Twilio's REST API (a <Dial> TwiML), then end the stream"
    )


def browser_cannot_refer(target_uri: str) -> Awaitable[None]:
    """A browser's (WebRTC) call: SIP REFER transfers SIP calls only."""
    raise CallControlError(
        "a browser's (WebRTC) call cannot be transferred: SIP REFER is for SIP calls; hang "
        "it up, and let the page call where it should"
    )


@dataclass(frozen=True)
class CallHandle:
    """The call a tool or handler runs in (``current_call()``): control it from inside."""

    call_id: str
    _hangup: Callable[[], Awaitable[None]] = field(repr=False)
    _refer: Callable[[str], Awaitable[None]] = field(repr=False, default=_cannot_refer)
    source: CallSource = "sip"

    async def hangup(self) -> None:
        """End the call (a Twilio stream: end the stream; with no TwiML after the
        ``<Connect>``, Twilio hangs up)."""
        await self._hangup()

    async def refer(self, target_uri: str) -> None:
        """Transfer the caller to ``tel:+1555...`` or ``sip:...`` (OpenAI SIP calls)."""
        await self._refer(target_uri)


LIVE = ("ringing", "active")
OVER = frozenset({"ended", "failed", "rejected"})
"""The states of a call that is over here (``moved``: another replica holds it)."""


@dataclass
class CallRecord:
    """A call this process handles (``app.calls``). ``caller`` is ``None`` for a browser's
    call, which has no phone number."""

    call_id: str
    caller: CallParty | None
    agent: str | None = None
    state: str = "ringing"  # ringing, rejected, active, ended, failed, moved
    source: CallSource = "sip"
    started: float = field(default_factory=time.time)
    reason: str | None = None
    session: Any = field(default=None, repr=False)
    handle: CallHandle | None = field(default=None, repr=False)
    usage: UsageRecord = field(default_factory=UsageRecord, repr=False)
    """What the call's session used (``rtagents.UsageRecord``), set when the call ends;
    while it is up, ``record.session.usage`` is the running figure."""
    cost: Decimal | None = None
    """``usage`` at ``CallServer(prices=...)``: ``None`` without prices, or with a model the
    table lacks."""
    hung_up: bool = field(default=False, repr=False)
    """The app hung the call up before it was up (``app.hangup``): it is rejected once its
    router decides, or hung up if its answer was on its way (or it was being listed)."""

    async def opened(self, session: Any) -> None:
        """The call's session is open: it is the record's, and closed at once should the
        call have been let go while it opened (``moved``: another replica holds it now)."""
        self.session = session
        if self.state == "moved":
            await session.close()


_current: contextvars.ContextVar[CallHandle] = contextvars.ContextVar("rtagents_call")


def current_call() -> CallHandle:
    """The call this code runs in: in a tool, an approval handler or an event handler of a
    session a ``CallServer`` runs. Raises ``RuntimeError`` elsewhere."""
    try:
        return _current.get()
    except LookupError:
        raise RuntimeError("not in a call handled by a CallServer") from None


def enter_call(handle: CallHandle) -> None:
    """Make ``handle`` the current call of this task (and the tasks it starts)."""
    _current.set(handle)


@tool
async def end_call() -> str:
    """Hang up the phone call, after saying goodbye."""
    await current_call().hangup()
    return "the call was ended"


@tool(needs_approval=True)  # it sends the caller elsewhere: the approval policy decides
async def transfer_call(target_uri: str) -> str:
    """Transfer the phone call to another number or SIP address (tel:+1555... or sip:...)."""
    await current_call().refer(target_uri)
    return f"the call was transferred to {target_uri}"
