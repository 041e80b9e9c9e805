"""Calls: phone calls over OpenAI SIP and browser sessions over WebRTC, with the agent's tools
run on a sideband session of each call. Needs ``rtagents[calls]``."""

from .rest import CallsAPI, CallsAPIError
from .server import (
    CallHandle,
    CallRecord,
    CallServer,
    IncomingCall,
    Reject,
    current_call,
    end_call,
    transfer_call,
)
from .webhooks import WebhookError, WebhookVerifier

__all__ = [
    "CallHandle",
    "CallRecord",
    "CallServer",
    "CallsAPI",
    "CallsAPIError",
    "IncomingCall",
    "Reject",
    "WebhookError",
    "WebhookVerifier",
    "current_call",
    "end_call",
    "transfer_call",
]
