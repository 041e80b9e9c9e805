"""The session: a sans-I/O core (an orchestrator of calls and turns, under one wire adapter
per API: ``realtime``, ``live``) driven by a thin runner over a transport.

The public API is ``connect``, ``RealtimeSession``, the events and the transports.
The core, its actions and the runner are internals: importable from their modules for those
who build on them, but not a promise.
"""

from .connect import OPENAI_LIVE_URL, OPENAI_REALTIME_URL, connect
from .events import (
    AudioInterrupted,
    BackgroundCompleted,
    BackgroundFailed,
    BackgroundStarted,
    DelegationAnswered,
    FillerRequested,
    FrameworkEventType,
    HandoffEvent,
    ProgressDropped,
    ProgressSpoken,
    ResponseRequested,
    SessionClosed,
    SessionEvent,
    SessionReconnected,
    SessionReconnecting,
    SessionWarning,
    ToolCallAbandoned,
    ToolCallCompleted,
    ToolCallFailed,
    ToolCallStarted,
    TranscriptDelta,
    UsageUpdated,
)
from .reconnect import Reconnect
from .session import RealtimeSession
from .transport import Transport, TransportClosed, WebsocketTransport

__all__ = [
    "OPENAI_LIVE_URL",
    "OPENAI_REALTIME_URL",
    "AudioInterrupted",
    "BackgroundCompleted",
    "BackgroundFailed",
    "BackgroundStarted",
    "DelegationAnswered",
    "FillerRequested",
    "FrameworkEventType",
    "HandoffEvent",
    "ProgressDropped",
    "ProgressSpoken",
    "RealtimeSession",
    "Reconnect",
    "ResponseRequested",
    "SessionClosed",
    "SessionEvent",
    "SessionReconnected",
    "SessionReconnecting",
    "SessionWarning",
    "ToolCallAbandoned",
    "ToolCallCompleted",
    "ToolCallFailed",
    "ToolCallStarted",
    "TranscriptDelta",
    "Transport",
    "TransportClosed",
    "UsageUpdated",
    "WebsocketTransport",
    "connect",
]
