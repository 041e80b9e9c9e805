"""A real MCP server whose tools/list always says there is another page, under a new cursor
each time (``"1"``, ``"2"``, ...): a pagination that never ends, and never repeats itself.

python endless_paging_server.py
"""

from __future__ import annotations

import sys
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp_types import ListToolsResult


class EndlessPaging(MCPServer):
    async def _handle_list_tools(self, ctx: Any, params: Any) -> ListToolsResult:
        page = int(params.cursor) if params is not None and params.cursor else 0
        return ListToolsResult(tools=await self.list_tools(), next_cursor=str(page + 1))


server = EndlessPaging("endless")


@server.tool()
def lookup(key: str) -> str:
    """Read a note."""
    return key


if __name__ == "__main__":
    sys.exit(server.run("stdio"))
