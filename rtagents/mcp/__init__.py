"""MCP: hosted MCP configs (run by the server) and local MCP servers (run by this process)."""

from .errors import MCPConnectError, MCPServerUnavailable
from .events import MCPServerFailed, MCPToolsChanged
from .hosted import HostedMCP
from .local import MCPServer
from .servers import MCPServerHTTP, MCPServerStdio
from .tools import MCPTool, MCPToolError, result_text

__all__ = [
    "HostedMCP",
    "MCPConnectError",
    "MCPServer",
    "MCPServerFailed",
    "MCPServerHTTP",
    "MCPServerStdio",
    "MCPServerUnavailable",
    "MCPTool",
    "MCPToolError",
    "MCPToolsChanged",
    "result_text",
]
