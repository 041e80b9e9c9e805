"""The bodies of the Live REST API, and its paths (no I/O: the callers send them).

``POST /v1/live/sessions`` creates a WebRTC session from the browser's SDP offer;
``/v1/live/sessions/{id}/accept``, ``reject``, ``refer`` and ``hangup`` control a SIP call;
``fork`` starts a stored session again on a new WebRTC connection; ``GET .../content``
downloads a stored session's recording. The WebSockets are ``/v1/live/sessions`` (a new
session), ``.../{id}/attach`` (a sideband, with ``?graceful_close=true`` to opt in to a
closing handshake) and ``.../{id}/fork``.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import quote

from pydantic import Field

from .._base import WireModel
from .session_config import ForkSessionConfig, SipSessionConfig, WebRtcSessionConfig

SESSIONS_PATH = "/v1/live/sessions"
"""Where sessions are created (``POST``, WebRTC) and started (WebSocket)."""

SessionAction = Literal["accept", "reject", "refer", "hangup", "fork", "content", "attach"]


def session_path(session_id: str, action: SessionAction | None = None) -> str:
    """The path of a session (``/v1/live/sessions/{id}``), or of one of its actions."""
    path = f"{SESSIONS_PATH}/{quote(session_id, safe='')}"
    return f"{path}/{action}" if action else path


class WebRtcTransport(WireModel):
    """A WebRTC transport: the browser's SDP offer, or the server's answer."""

    type: Literal["webrtc"] = "webrtc"
    sdp: str


class LiveCreateRequest(WireModel):
    """``POST /v1/live/sessions``: a session and the browser's offer."""

    session: WebRtcSessionConfig
    transport: WebRtcTransport


class SessionRef(WireModel):
    """A created session's id (``live_...``), kept exactly as given."""

    id: str


class LiveCreateResult(WireModel):
    """The session created (or forked) and the SDP answer; ``session.started`` then comes
    on the data channel."""

    session: SessionRef
    transport: WebRtcTransport


class AcceptRequest(WireModel):
    """``POST /v1/live/sessions/{id}/accept``: answer a SIP call with this session (its
    audio format is negotiated)."""

    session: SipSessionConfig


class RejectRequest(WireModel):
    """``POST /v1/live/sessions/{id}/reject``: turn a SIP call away with a SIP status."""

    status_code: int = Field(ge=300, le=699)


class ReferRequest(WireModel):
    """``POST /v1/live/sessions/{id}/refer``: transfer a SIP call (``tel:...``, ``sip:...``)."""

    target_uri: str = Field(min_length=1)


class ForkRequest(WireModel):
    """``POST /v1/live/sessions/{id}/fork``: a stored session again, on a new WebRTC
    connection, with optional overrides."""

    transport: WebRtcTransport
    session: ForkSessionConfig | None = None


__all__ = [
    "SESSIONS_PATH",
    "AcceptRequest",
    "ForkRequest",
    "LiveCreateRequest",
    "LiveCreateResult",
    "ReferRequest",
    "RejectRequest",
    "SessionAction",
    "SessionRef",
    "WebRtcTransport",
    "session_path",
]
