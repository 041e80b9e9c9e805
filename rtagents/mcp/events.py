"""MCP events in the session's stream."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .._event import FrameworkEvent


@dataclass(frozen=True)
class MCPServerFailed(FrameworkEvent):
    """A local MCP server died, or stopped answering (a call was given up, and the server left
    the ping that followed unanswered: see ``rtagents.mcp.liveness``); its calls get error
    outputs. Told once until the server answers again."""

    type: Literal["mcp.server.failed"] = field(default="mcp.server.failed", init=False)
    server: str
    error: str


@dataclass(frozen=True)
class MCPToolsChanged(FrameworkEvent):
    """A local MCP server's tools changed (``tools/list_changed``); the session was updated."""

    type: Literal["mcp.tools.changed"] = field(default="mcp.tools.changed", init=False)
    server: str
    tools: tuple[str, ...]
    """The tools the session now offers from the server, by the names the model sees: those
    its filters keep, prefixed, or renamed on a clash."""
