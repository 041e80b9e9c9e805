"""Testing your agents offline: the emulator with a scripted model, and readable assertions.

The ``realtime`` pytest fixture is registered automatically (a ``pytest11`` plugin). Scripts
use the emulator's outputs: a string is said, ``CallFunction`` and
``CallMCP`` call tools, a function of the context computes a turn.
"""

from ..emulator import CallFunction, CallMCP, ModelContext, Say, ScriptedModel
from .asgi import fan_out, serve_asgi
from .audio_device import FakeAudioDevice
from .harness import Drive, Realtime, run_agent, run_session
from .mcp_http import mcp_server, serve_mcp_http
from .record import ApprovalRecord, CallRecord, SessionRecord, sent_outputs
from .redis import redis_server
from .twilio import TwilioMediaClient

__all__ = [
    "ApprovalRecord",
    "CallFunction",
    "CallMCP",
    "CallRecord",
    "Drive",
    "FakeAudioDevice",
    "ModelContext",
    "Realtime",
    "Say",
    "ScriptedModel",
    "SessionRecord",
    "TwilioMediaClient",
    "fan_out",
    "mcp_server",
    "redis_server",
    "run_agent",
    "run_session",
    "sent_outputs",
    "serve_asgi",
    "serve_mcp_http",
]
