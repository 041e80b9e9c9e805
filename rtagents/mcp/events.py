"""MCP events in the session's stream."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .._event import FrameworkEvent


@dataclass(frozen=True)
class MCPServerFailed(FrameworkEvent):
    """A local MCP server died or stopped answering; its calls get error outputs."""

    type: ClassVar[str] = "mcp.server.failed"
    server: str
    error: str


@dataclass(frozen=True)
class MCPToolsChanged(FrameworkEvent):
    """A local MCP server's tools changed (``tools/list_changed``); the session was updated."""

    type: ClassVar[str] = "mcp.tools.changed"
    server: str
    tools: tuple[str, ...]
