"""The SIP call's events a Live server sends to sidebands only: keys pressed and sent, and
an outbound call's progress."""

from __future__ import annotations

from typing import Literal

from .._base import ServerEventBase, WireModel


class TransportDtmfReceived(ServerEventBase):
    """The caller pressed a key."""

    type: Literal["transport.dtmf.received"] = "transport.dtmf.received"
    event: str


class TransportDtmfSendNotice(ServerEventBase):
    """An older server's confirmation of a sent key (now ``transport.dtmf.sent``)."""

    type: Literal["transport.dtmf.send"] = "transport.dtmf.send"
    event: str
    client_event_id: str | None = None


class TransportDtmfSent(ServerEventBase):
    """A ``transport.dtmf.send`` reached the SIP trunk."""

    type: Literal["transport.dtmf.sent"] = "transport.dtmf.sent"
    event: str
    client_event_id: str | None = None


class TransportRinging(ServerEventBase):
    """An outbound call rings (or plays early media)."""

    type: Literal["transport.ringing"] = "transport.ringing"
    session_id: str


class TransportAnswered(ServerEventBase):
    """An outbound call was answered."""

    type: Literal["transport.answered"] = "transport.answered"
    session_id: str


class TransportError(WireModel):
    """Why an outbound call failed (``code``), and the ``param`` at fault."""

    type: Literal["call_error"] = "call_error"
    code: str
    message: str
    param: str | None = None


class TransportFailed(ServerEventBase):
    """An outbound call could not be set up."""

    type: Literal["transport.failed"] = "transport.failed"
    session_id: str
    error: TransportError


__all__ = [
    "TransportAnswered",
    "TransportDtmfReceived",
    "TransportDtmfSendNotice",
    "TransportDtmfSent",
    "TransportError",
    "TransportFailed",
    "TransportRinging",
]
