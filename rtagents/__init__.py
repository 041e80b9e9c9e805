"""rtagents: realtime voice agents on the OpenAI Realtime API."""

from __future__ import annotations

from . import protocol
from .errors import ConnectError, ProtocolError, RtagentsError, SessionClosed, SessionConfigError
from .tools import FunctionTool, ToolContext, Toolset, tool

__version__ = "0.1.0"

__all__ = [
    "ConnectError",
    "FunctionTool",
    "ProtocolError",
    "RtagentsError",
    "SessionClosed",
    "SessionConfigError",
    "ToolContext",
    "Toolset",
    "__version__",
    "protocol",
    "tool",
]
