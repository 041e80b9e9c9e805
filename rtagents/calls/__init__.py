"""Calls: phone calls over OpenAI SIP or Twilio Media Streams and browser sessions over
WebRTC, with the agent's tools run in the server. Needs ``rtagents[calls]``."""

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
from .rest import CallsAPI, CallsAPIError
from .server import CallServer
from .twilio import TwilioPlayer, TwilioStreams, say_digit, twilio_signature
from .webhooks import WebhookError, WebhookVerifier

__all__ = [
    "CallControlError",
    "CallHandle",
    "CallRecord",
    "CallServer",
    "CallsAPI",
    "CallsAPIError",
    "IncomingCall",
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
