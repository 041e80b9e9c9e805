"""rtagents: realtime voice agents on the OpenAI Realtime API.

Typed function tools whose calls never stall, approvals that are safe by default, local and
hosted MCP servers, and OpenTelemetry traces tied to the Realtime session's own trace.
"""

from __future__ import annotations

import importlib
import warnings
from typing import TYPE_CHECKING

from . import _redact, errors, mcp, protocol
from ._event import FrameworkEvent
from .agent import Agent, Delegation, Handoff, LiveOptions, Thinking, handoff
from .approvals import ApprovalPolicy, ApprovalRequest, Decision, allow, ask, deny
from .approvals.guardrails import PASS, Guardrail, GuardrailResult, Guardrails, Trip
from .errors import (
    ConnectError,
    ProtocolError,
    RtagentsError,
    SessionClosedError,
    SessionConfigError,
    UnsupportedByAPI,
)
from .mcp import HostedMCP
from .pricing import Prices
from .session import RealtimeSession, Reconnect, SessionEvent, connect
from .tools import FunctionTool, ToolContext, Toolset, tool
from .usage import Tokens, UsageRecord

_redact.install()  # before any connection: no secret in any log, ours or a dependency's

__version__ = "0.1.0"

__all__ = [
    "PASS",
    "Agent",
    "ApprovalPolicy",
    "ApprovalRequest",
    "ConnectError",
    "Decision",
    "Delegation",
    "FrameworkEvent",
    "FunctionTool",
    "Guardrail",
    "GuardrailResult",
    "Guardrails",
    "Handoff",
    "HostedMCP",
    "LiveOptions",
    "Prices",
    "ProtocolError",
    "RealtimeSession",
    "Reconnect",
    "RtagentsError",
    "SessionClosedError",
    "SessionConfigError",
    "SessionEvent",
    "Thinking",
    "Tokens",
    "ToolContext",
    "Toolset",
    "Trip",
    "UnsupportedByAPI",
    "UsageRecord",
    "__version__",
    "allow",
    "ask",
    "connect",
    "deny",
    "handoff",
    "mcp",
    "protocol",
    "tool",
]


if TYPE_CHECKING:  # what a type checker sees them as (``__getattr__`` imports them)
    from . import audio as audio
    from . import calls as calls
    from . import emulator as emulator
    from . import testing as testing
    from . import tracing as tracing

    SessionClosed = SessionClosedError  # (its old name: see ``errors.RENAMED``)

_SUBPACKAGES = frozenset({"audio", "calls", "emulator", "testing", "tracing"})
"""Reached as ``rtagents.calls`` after a plain ``import rtagents`` (DESIGN.md writes them
so), imported on first use: the import of ``rtagents`` stays small, and an extra a
subpackage needs is asked for only when it is used."""


if not TYPE_CHECKING:  # (a checker sees no such hook: a misspelt name is an error there)

    def __getattr__(name: str) -> object:
        if name in _SUBPACKAGES:
            return importlib.import_module(f"{__name__}.{name}")
        if name in errors.RENAMED:  # an exception's old name (SessionClosed until 0.2)
            message, now = errors.RENAMED[name]
            warnings.warn(message, DeprecationWarning, stacklevel=2)
            return now
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
