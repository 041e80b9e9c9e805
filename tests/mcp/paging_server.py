"""A real MCP server whose tools/list always says there is another page (the same cursor):
a buggy pagination. ``python paging_server.py``"""

from __future__ import annotations

import sys
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp_types import ListToolsResult


class Paging(MCPServer):
    async def _handle_list_tools(self, ctx: Any, params: Any) -> ListToolsResult:
        return ListToolsResult(tools=await self.list_tools(), next_cursor="again")


server = Paging("paging")


@server.tool()
def lookup(key: str) -> str:
    """Read a note."""
    return key


if __name__ == "__main__":
    sys.exit(server.run("stdio"))
