"""Testing your agents offline: the emulator with a scripted model, and readable assertions.

The ``realtime`` pytest fixture is registered automatically (``pytest_rtagents``, a ``pytest11``
plugin that imports rtagents only when a test uses it). Scripts use the emulator's outputs: a
string is said, ``CallFunction`` and ``CallMCP`` call tools, a function of the context computes
a turn.
"""

from ..emulator import CallFunction, CallMCP, ModelContext, Say, ScriptedModel
from .asgi import fan_out, serve_asgi
from .audio_device import FakeAudioDevice
from .harness import Drive, Realtime, run_agent, run_session
from .mcp_http import mcp_server, serve_mcp_http
from .record import ApprovalRecord, SessionRecord, ToolCallRecord, sent_outputs
from .redis import redis_server
from .twilio import TwilioMediaClient

__all__ = [
    "ApprovalRecord",
    "CallFunction",
    "CallMCP",
    "Drive",
    "FakeAudioDevice",
    "ModelContext",
    "Realtime",
    "Say",
    "ScriptedModel",
    "SessionRecord",
    "ToolCallRecord",
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


def __getattr__(name: str) -> object:
    # CallRecord was this name until 0.2: one name meant a tool call here and a phone call in
    # rtagents.calls. The old name keeps working, with a warning, for the tests written then.
    if name == "CallRecord":
        import warnings

        warnings.warn(
            "rtagents.testing.CallRecord is now rtagents.testing.ToolCallRecord "
            "(rtagents.calls.CallRecord is a phone call)",
            DeprecationWarning,
            stacklevel=2,
        )
        return ToolCallRecord
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
