"""Hosted MCP in the emulator: the ``type: "mcp"`` tools of a session, run server-side."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .connection import EmulatorConnection
    from .models import CallMCP
    from .responses import ResponseRun


class HostedMCPRunner:
    """Placeholder until hosted MCP lands: no servers, and a call fails cleanly."""

    async def configure(self, conn: EmulatorConnection, tools: list[dict[str, Any]]) -> None:
        return None

    def model_tools(self, tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return []

    async def answer(self, conn: EmulatorConnection, item: dict[str, Any]) -> None:
        return None

    async def call(self, run: ResponseRun, index: int, call: CallMCP) -> None:
        raise RuntimeError(f"hosted MCP server {call.server_label!r} is not configured")

    async def close(self) -> None:
        return None
