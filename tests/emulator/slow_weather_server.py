"""A real MCP server (stdio) that takes its time to start, as a server importing a heavy
library or opening a database does: ``python slow_weather_server.py``."""

from __future__ import annotations

import sys
import time

time.sleep(2.0)  # its start-up (imports, a connection pool...)

from mcp.server.mcpserver import MCPServer  # noqa: E402

server = MCPServer("weather")


@server.tool()
def lookup_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


if __name__ == "__main__":
    sys.exit(server.run("stdio"))
