"""The demo's two MCP servers, built with the ``mcp`` package.

``calendar`` runs as a local stdio server (``python -m rtagents.demo.mcp_servers``);
``docs`` is served over streamable HTTP for the emulator to call as a hosted MCP server.
"""

from __future__ import annotations

from mcp_types import ToolAnnotations

from ..testing.mcp_http import mcp_server

calendar = mcp_server("calendar")
EVENTS = {"monday": ["09:00 stand-up", "14:00 dentist"], "friday": ["19:00 dinner with Sam"]}


@calendar.tool(annotations=ToolAnnotations(read_only_hint=True))
def list_events(day: str) -> str:
    """The events in the user's calendar on a day."""
    events = EVENTS.get(day.lower())
    return ", ".join(events) if events else f"nothing on {day}"


docs = mcp_server("docs")
PAGES = {
    "rate limits": "Realtime sessions allow 100 concurrent sessions per key by default.",
    "voices": "Realtime voices: alloy, ash, ballad, cedar, coral, echo, marin, sage, shimmer, verse.",
}


@docs.tool(annotations=ToolAnnotations(read_only_hint=True))
def search_docs(query: str) -> str:
    """Search the product documentation."""
    for topic, text in PAGES.items():
        if topic in query.lower():
            return text
    return f"no page about {query}"


if __name__ == "__main__":
    calendar.run("stdio")
