"""GPT-Live over WebRTC: what ``POST /v1/live/sessions`` takes (``LiveCreateRequest``: a
session config and the browser's offer, as JSON). The call then runs through the same peer
shell as a Realtime one, with ``LiveCore``."""

from __future__ import annotations

from typing import Any

from ...protocol import live as lp
from ..live import session as config


def live_request(body: bytes) -> tuple[dict[str, Any], str]:
    """The session (as ``session.start`` takes it) and the SDP offer; ``ValueError`` with
    the message for a 400 when the body or its session is refused."""
    request, session = config.requested(lp.LiveCreateRequest, body)
    return session, request.transport.sdp
