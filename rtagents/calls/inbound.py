"""What the calls server takes from the network, checked in one place before it is used: ids
that end up in URL paths, Redis keys and log lines, and request bodies read up to a bound.

An id from outside (a webhook's ``call_id``, a page's attach, a Twilio start message) must
have the shape the API gives its ids, so that ``../../v1/files`` never becomes a path the
server posts to with the API key; and it is shown in a log line only escaped, so that a CR
or LF in it cannot forge a line.
"""

from __future__ import annotations

import logging
import re
from typing import Any

log = logging.getLogger("rtagents.calls")

# OpenAI's call ids: ``rtc_`` then letters, digits, ``_`` and ``-`` (``rtc_u1_9c65...``; the
# emulator's are ``rtc_`` + 24 hex digits). Twilio's SIDs: two letters and 32 hex digits.
_CALL_ID = re.compile(r"rtc_[A-Za-z0-9_-]{1,120}")
_LIVE_ID = re.compile(r"live_[A-Za-z0-9_-]{1,120}")  # GPT-Live's sessions (a SIP call's)
_TWILIO_SID = re.compile(r"[A-Z]{2}[0-9a-fA-F]{32}")


def check_call_id(value: object) -> str:
    """``value`` when it is an OpenAI call id; ``ValueError`` otherwise."""
    if isinstance(value, str) and _CALL_ID.fullmatch(value):
        return value
    raise ValueError(f"{shown(value)} is not a call id (rtc_...)")


def check_session_id(value: object) -> str:
    """``value`` when it is a GPT-Live session id (``live_...``); ``ValueError`` otherwise."""
    if isinstance(value, str) and _LIVE_ID.fullmatch(value):
        return value
    raise ValueError(f"{shown(value)} is not a GPT-Live session id (live_...)")


def check_twilio_sid(value: object) -> str:
    """``value`` when it is a Twilio SID (``CA...``, ``MZ...``); ``ValueError`` otherwise."""
    if isinstance(value, str) and _TWILIO_SID.fullmatch(value):
        return value
    raise ValueError(f"{shown(value)} is not a Twilio SID")


def shown(value: object, limit: int = 80) -> str:
    """``value`` as a log line may show it: control characters escaped, cut at ``limit``."""
    text = value if isinstance(value, str) else repr(value)
    escaped = text[:limit].encode("unicode_escape").decode("ascii")
    return escaped + ("..." if len(text) > limit else "")


def sip_headers(data: dict[str, Any]) -> dict[str, str]:
    """The call's SIP headers by name, in the INVITE's order; a repeated name's values are
    joined with ", " in their order (RFC 3261 7.3.1: a carrier's two ``P-Asserted-Identity``,
    a ``Diversion`` per forward), none lost. A ``sip_headers`` that is not a list of objects
    is read as none (the call is still routed), and said in the log."""
    listed = data.get("sip_headers")
    if listed is None:
        return {}
    if not isinstance(listed, list):
        log.warning("webhook's sip_headers is not a list (%s): read as none", type(listed).__name__)
        return {}
    headers: dict[str, str] = {}
    for header in listed:
        if isinstance(header, dict):
            name, value = str(header.get("name")), str(header.get("value"))
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers
