"""The session: a sans-I/O core driven by a thin anyio runner over a transport."""

from .actions import Action, CancelCall, Emit, Send, StartApproval, StartCall, ToolTraits
from .connect import OPENAI_REALTIME_URL, connect
from .core import SessionCore
from .events import (
    AudioInterrupted,
    FrameworkEventType,
    ResponseRequested,
    SessionClosed,
    SessionEvent,
    SessionWarning,
    ToolCallAbandoned,
    ToolCallCompleted,
    ToolCallFailed,
    ToolCallStarted,
)
from .session import RealtimeSession
from .transport import Transport, TransportClosed, WebsocketTransport

__all__ = [
    "OPENAI_REALTIME_URL",
    "Action",
    "AudioInterrupted",
    "CancelCall",
    "Emit",
    "FrameworkEventType",
    "RealtimeSession",
    "ResponseRequested",
    "Send",
    "SessionClosed",
    "SessionCore",
    "SessionEvent",
    "SessionWarning",
    "StartApproval",
    "StartCall",
    "ToolCallAbandoned",
    "ToolCallCompleted",
    "ToolCallFailed",
    "ToolCallStarted",
    "ToolTraits",
    "Transport",
    "TransportClosed",
    "WebsocketTransport",
    "connect",
]
