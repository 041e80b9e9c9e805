"""GPT-Live over WebRTC: what ``POST /v1/live/sessions`` takes (``LiveCreateRequest``: a
session config and the browser's offer, as JSON). The call then runs through the same peer
shell as a Realtime one, with ``LiveCore``."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ...protocol import live as lp
from ..errors import ClientEventError
from ..live import session as config

LIVE_PATHS = ("/v1/live/sessions", "/live/sessions")


def live_request(body: bytes) -> tuple[dict[str, Any], str]:
    """The session (as ``session.start`` takes it) and the SDP offer; ``ValueError`` with
    the message for a 400 when the body or its session is refused."""
    try:
        request = lp.LiveCreateRequest.model_validate_json(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ValueError(f"Invalid '{where}': {first['msg']}") from None
    session = request.session.model_dump(mode="json", exclude_unset=True)
    session.pop("type", None)
    try:  # what session.start would refuse is refused here, before an answer is made
        config.start(session, created_at_s=0, max_session_s=3600)
    except ClientEventError as err:
        raise ValueError(err.message) from None
    return session, request.transport.sdp
