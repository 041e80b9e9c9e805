"""The ``live.*`` webhook events: a SIP call to accept, a WebRTC session to attach to."""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field

from .._base import WireModel


class SipHeader(WireModel):
    """A header of the SIP INVITE (untrusted: the caller chose it)."""

    name: str
    value: str


class SipCallData(WireModel):
    """A pending SIP call: its ``live_...`` session id (for accept, reject and sidebands) and
    the INVITE's headers, in order, without the authorization ones."""

    session_id: str
    sip_headers: list[SipHeader]
    type: Literal["sip"] | None = None
    sip_media_security: Union[Literal["rtp", "srtp"], str, None] = None
    """The media's protection, when known (``srtp`` encrypted, ``rtp`` not)."""


class WebRtcSessionData(WireModel):
    """A WebRTC session that started: its id, for a sideband."""

    type: Literal["webrtc"] = "webrtc"
    session_id: str


class _Webhook(WireModel):
    id: str
    created_at: int
    object: Literal["event"] | None = None


class TransportIncoming(_Webhook):
    """A SIP call rings: accept it (``POST /v1/live/sessions/{session_id}/accept``) or
    reject it. The same call may also be offered as ``realtime.call.incoming``: the first
    accept, by either API, wins."""

    type: Literal["live.transport.incoming"] = "live.transport.incoming"
    data: SipCallData


class CallIncoming(_Webhook):
    """The older name of ``live.transport.incoming``, kept for existing subscriptions."""

    type: Literal["live.call.incoming"] = "live.call.incoming"
    data: SipCallData


class TransportConnected(_Webhook):
    """A WebRTC session was created (or an Instant Connect one became active): a sideband
    can attach to it."""

    type: Literal["live.transport.connected"] = "live.transport.connected"
    data: WebRtcSessionData


LiveWebhookEvent = Annotated[
    TransportIncoming | CallIncoming | TransportConnected, Field(discriminator="type")
]
"""A ``live.*`` webhook event, discriminated by ``type``."""

WEBHOOK_EVENT_TYPES: tuple[type[WireModel], ...] = (
    TransportIncoming,
    CallIncoming,
    TransportConnected,
)
"""Every ``live.*`` webhook event class."""


__all__ = [
    "WEBHOOK_EVENT_TYPES",
    "CallIncoming",
    "LiveWebhookEvent",
    "SipCallData",
    "SipHeader",
    "TransportConnected",
    "TransportIncoming",
    "WebRtcSessionData",
]
