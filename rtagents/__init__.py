"""rtagents: realtime voice agents on the OpenAI Realtime API.

Typed function tools whose calls never stall, approvals that are safe by default, local and
hosted MCP servers, and OpenTelemetry traces tied to the Realtime session's own trace.
"""

from __future__ import annotations

from . import _redact, mcp, protocol
from ._event import FrameworkEvent
from .agent import Agent
from .approvals import ApprovalPolicy, ApprovalRequest, Decision, allow, ask, deny
from .errors import ConnectError, ProtocolError, RtagentsError, SessionClosed, SessionConfigError
from .mcp import HostedMCP
from .session import RealtimeSession, Reconnect, SessionEvent, connect
from .tools import FunctionTool, ToolContext, Toolset, tool

_redact.install()  # before any connection: no secret in any log, ours or a dependency's

__version__ = "0.1.0"

__all__ = [
    "Agent",
    "ApprovalPolicy",
    "ApprovalRequest",
    "ConnectError",
    "Decision",
    "FrameworkEvent",
    "FunctionTool",
    "HostedMCP",
    "ProtocolError",
    "RealtimeSession",
    "Reconnect",
    "RtagentsError",
    "SessionClosed",
    "SessionConfigError",
    "SessionEvent",
    "ToolContext",
    "Toolset",
    "__version__",
    "allow",
    "ask",
    "connect",
    "deny",
    "mcp",
    "protocol",
    "tool",
]
