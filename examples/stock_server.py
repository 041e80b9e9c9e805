"""A local MCP server written with mcp 2.x: the one in docs/mcp.md, "Writing a local MCP server".

python examples/stock_server.py    # speaks MCP over stdin and stdout

In mcp 1.x this class was FastMCP (``from mcp.server.fastmcp import FastMCP``); mcp 2.x
renamed it ``MCPServer``, and the old import fails.
"""

from mcp.server.mcpserver import MCPServer
from mcp.types import ToolAnnotations

server = MCPServer("stock")
STOCK = {"espresso beans": 12, "oat milk": 0}


# Read-only: an agent's approval policy lets it run without asking (see docs/approvals.md).
@server.tool(annotations=ToolAnnotations(read_only_hint=True))
def check_stock(item: str) -> str:
    """How many of an item the shop has in stock."""
    count = STOCK.get(item.lower())
    if count is None:
        return f"we don't sell {item}"
    return f"{count} {item} in stock" if count else f"{item} is sold out"


if __name__ == "__main__":
    server.run()  # stdio: stdout carries the protocol, so print nothing to it
