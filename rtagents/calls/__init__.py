"""Calls: phone calls over OpenAI SIP or Twilio Media Streams and browser sessions over
WebRTC, with the agent's tools run in the server. Needs ``rtagents[calls]``."""

from .access import CallerRequest
from .control import (
    CallControlError,
    CallHandle,
    CallRecord,
    IncomingCall,
    Reject,
    current_call,
    end_call,
    transfer_call,
)
from .parties import CallParty
from .registry import CallNotFound, CallOwnerGone, CallRegistry, ClaimPending, LocalRegistry
from .rest import CallsAPI, CallsAPIError
from .server import CallServer
from .twilio import TwilioPlayer, TwilioStreams, say_digit, twilio_signature
from .webhooks import WebhookError, WebhookVerifier

__all__ = [
    "CallControlError",
    "CallHandle",
    "CallNotFound",
    "CallOwnerGone",
    "CallParty",
    "CallRecord",
    "CallRegistry",
    "CallServer",
    "CallerRequest",
    "CallsAPI",
    "CallsAPIError",
    "ClaimPending",
    "IncomingCall",
    "LocalRegistry",
    "RedisRegistry",
    "Reject",
    "TwilioPlayer",
    "TwilioStreams",
    "WebhookError",
    "WebhookVerifier",
    "current_call",
    "end_call",
    "say_digit",
    "transfer_call",
    "twilio_signature",
]


def __getattr__(name: str) -> object:
    # RedisRegistry needs redis-py (rtagents[redis]): imported when asked for, not before.
    if name == "RedisRegistry":
        from .registry_redis import RedisRegistry

        return RedisRegistry
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
